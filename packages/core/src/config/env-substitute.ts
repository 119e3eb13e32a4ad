/** A `${VAR:?message}` whose variable is unset or empty. */
export class MissingEnvError extends Error {
  constructor(readonly variable: string, message: string) {
    super(message);
    this.name = 'MissingEnvError';
  }
}

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g;

/**
 * Expands `${VAR}` (empty when unset), `${VAR:-default}` (default when unset or empty) and
 * `${VAR:?message}` (throws {@link MissingEnvError} when unset or empty) in `text`, reading
 * `env`. `$$` stands for a literal `$`. `onUnset` hears each `${VAR}` read as empty because it
 * is not set (a typo in its name, a secret not passed in).
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, onUnset?: (variable: string) => void): string {
  if (!text.includes('$')) return text;
  return text.replace(PATTERN, (match, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (op === ':-') return value === undefined || value === '' ? (arg ?? '') : value;
    if (op === ':?') {
      if (value === undefined || value === '') {
        throw new MissingEnvError(name!, arg ? `${name}: ${arg}` : `environment variable ${name} is required`);
      }
      return value;
    }
    if (value === undefined) onUnset?.(name!);
    return value ?? '';
  });
}
