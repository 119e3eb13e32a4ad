import { existsSync } from 'node:fs';

/** Text that reads as a file path: one line, no spaces, a slash or a dot in it, not a long base64 run. */
function looksLikePath(value: string): boolean {
  return value.length <= 1024 && !/\s/.test(value) && /[/\\.]/.test(value) && !/^[A-Za-z0-9+/=_-]{40,}$/.test(value);
}

/**
 * Why `value`, the path of a certificate or key file (or inline PEM, with `inlinePem`), cannot be
 * used; undefined when it can. The value is named only when it reads as a path: key material or a
 * password written where a path belongs (a `${VAR}` holding the key itself) is never printed.
 */
export function keyFileProblem(value: string, options: { inlinePem?: boolean } = {}): string | undefined {
  if ((options.inlinePem && value.trimStart().startsWith('-----BEGIN')) || existsSync(value)) return undefined;
  const inline = options.inlinePem ? ' nor inline PEM (-----BEGIN ...)' : '';
  if (!looksLikePath(value)) return `not a file that exists${inline}; the value is not shown, since it may be key material: give the path of the file${options.inlinePem ? ', or the PEM text with its BEGIN and END lines' : ''}`;
  return `file ${value} not found (relative paths are read from the working directory, ${process.cwd()})`;
}
