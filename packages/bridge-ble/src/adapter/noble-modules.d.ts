// noble's entry points the bridge imports by path; the package ships no types for them.
declare module '@abandonware/noble/with-bindings.js' {
  const withBindings: (bindings: unknown) => unknown;
  export default withBindings;
}
declare module '@abandonware/noble/lib/resolve-bindings.js' {
  const resolveBindings: (options: Record<string, unknown>) => unknown;
  export default resolveBindings;
}
