/**
 * The value under `key` in `state` (what a run keeps across SIGHUP reloads), made and kept there
 * the first time: `BridgeContext.acrossReloads` of the runtime and of the test context.
 */
export function keptAcrossReloads<T>(state: Map<string, unknown>, key: string, make: () => T): T {
  if (!state.has(key)) state.set(key, make());
  return state.get(key) as T;
}
