/** Longest text taken from a peer into a log line, an error message or the dead-letter file, by default. */
export const EXCERPT_CHARS = 300;

/**
 * A bounded, printable excerpt of text a peer sent (an error body, a frame, a topic): control
 * characters are replaced (so a peer cannot forge log lines or send terminal escapes), and past
 * `max` characters it is cut with a note of how much was left out.
 */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  // eslint-disable-next-line no-control-regex
  const clean = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' || c === '\t' ? ' ' : '\ufffd'));
  return text.length > max ? `${clean}... (${text.length - max} more characters)` : clean;
}

/** `text` with every occurrence of each secret (an API key a server echoed back) replaced by `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/** Query parameters whose values are credentials. */
const SECRET_PARAMS = /^(api[-_]?key|key|token|access[-_]?token|auth|authorization|password|passwd|pwd|secret|signature|sig)$/i;

/**
 * A URL safe to print: a user name and password become `***`, and so do the values of query
 * parameters that carry credentials (`?token=`, `?api_key=`). Text that is not a URL is returned
 * as it is.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = url.username ? '***' : '';
    url.password = url.password ? '***' : '';
    changed = true;
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) {
      url.searchParams.set(key, '***');
      changed = true;
    }
  }
  return changed ? url.toString().replaceAll('%2A%2A%2A', '***') : text;
}
