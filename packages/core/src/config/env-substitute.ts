/**
 * A `${VAR:?message}` whose variable is unset or empty (`variable` its name), or a `${` that
 * starts no reference the three forms allow (`variable` undefined): `${NOPE` without its brace,
 * `${my-var}`, a `${B}` nested in a default. Either way the file cannot be read as meant.
 */
export class EnvReferenceError extends Error {
  constructor(readonly variable: string | undefined, message: string) {
    super(message);
    this.name = 'EnvReferenceError';
  }
}

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g;

/**
 * Expands `${VAR}` (empty when unset), `${VAR:-default}` (default when unset or empty) and
 * `${VAR:?message}` (throws {@link EnvReferenceError} when unset or empty) in `text`, reading
 * `env`. `$$` stands for a literal `$`. `onUnset` hears each `${VAR}` read as empty because it
 * is not set (a typo in its name, a secret not passed in).
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, onUnset?: (variable: string) => void): string {
  if (!text.includes('$')) return text;
  const malformed = malformedReference(text);
  if (malformed !== undefined) {
    throw new EnvReferenceError(undefined, `${malformed} is not read from the environment: write \${NAME}, \${NAME:-default} or \${NAME:?message} (NAME of letters, digits and _, not starting with a digit; a default holds no \${...}), or $\${ for a literal \${`);
  }
  return text.replace(PATTERN, (match, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (op === ':-') return value === undefined || value === '' ? (arg ?? '') : value;
    if (op === ':?') {
      if (value === undefined || value === '') {
        throw new EnvReferenceError(name!, arg ? `${name}: ${arg}` : `environment variable ${name} is required`);
      }
      return value;
    }
    if (value === undefined) onUnset?.(name!);
    return value ?? '';
  });
}

/**
 * The first `${` of `text` that no reference the three forms allow starts (and `$$` does not
 * escape), up to its `}` or 24 characters, or undefined. A reference whose default or message
 * holds another `${` counts: it is not expanded, and would be sent as it is written.
 */
function malformedReference(text: string): string | undefined {
  PATTERN.lastIndex = 0;
  let covered = 0;
  for (let m = PATTERN.exec(text); m !== null; m = PATTERN.exec(text)) {
    const stray = text.indexOf('${', covered);
    if (stray >= 0 && stray < m.index) return quote(text, stray);
    if (m[3]?.includes('${')) return quote(text, m.index);
    covered = m.index + m[0].length;
  }
  const stray = text.indexOf('${', covered);
  return stray >= 0 ? quote(text, stray) : undefined;
}

function quote(text: string, from: number): string {
  const end = text.indexOf('}', from);
  const cut = end >= 0 && end - from < 40 ? text.slice(from, end + 1) : `${text.slice(from, from + 24)}...`;
  return `'${cut}'`;
}
