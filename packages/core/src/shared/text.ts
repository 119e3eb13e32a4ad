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
 * The credentials URL `text` carries, for {@link redact}: its password (as written and decoded),
 * the values of credential query parameters (`?token=`), and the `Basic` header its user and
 * password make. A receiver that echoes the request (`404: no /ingest?token=...`) must not have
 * them printed back in a log line, `/readyz` or the dead-letter file. Empty for text that is not
 * a URL.
 */
export function urlSecrets(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (url.password) {
    const user = decoded(url.username);
    const password = decoded(url.password);
    out.push(url.password, password, Buffer.from(`${user}:${password}`).toString('base64'));
  }
  for (const [key, value] of url.searchParams) if (SECRET_PARAMS.test(key) && value) out.push(value, encodeURIComponent(value));
  return [...new Set(out)];
}

/** `text` with the `user:password@` of a URL-shaped start replaced by `***@`, otherwise as written. */
export function withoutUserinfo(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\s]*@/, '$1***@');
}

/** A URL part percent-decoded, or as it is when it does not decode (`%zz`). */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * A URL safe to print: a user name and password become `***`, and so do the values of query
 * parameters that carry credentials (`?token=`, `?api_key=`). Text the URL parser refuses loses
 * its `user:password@` part all the same; other text is returned as it is.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL the parser takes (`tcp://user:pass@host:port-typo`): its user part goes all the same.
    return withoutUserinfo(text);
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
