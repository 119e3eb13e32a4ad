import { formatIssue, formatPath } from '../config/config-error.js';
import { readMappingText } from '../config/load-mapping.js';
import { issueAt } from '../config/locate-key.js';
import { FieldbridgeError } from '../errors.js';

/**
 * Runs `make` (sync or async); a {@link FieldbridgeError} it throws is thrown again at the key
 * `path` of mapping file `file`, as `file:line:col key: message` (what a `--check` says), so that
 * a spool or observe address refused at run time names the line to change. Without `file`, or
 * when the file cannot be read again, the error goes on as it was.
 */
export function atKey<T>(file: string | undefined, path: readonly string[], make: () => T): T {
  try {
    const made = make();
    return (made instanceof Promise ? made.catch((err: unknown) => Promise.reject(located(file, path, err))) : made) as T;
  } catch (err) {
    throw located(file, path, err);
  }
}

function located(file: string | undefined, path: readonly string[], err: unknown): unknown {
  if (file === undefined || !(err instanceof FieldbridgeError)) return err;
  let text: string;
  try {
    text = readMappingText(file);
  } catch {
    return err;
  }
  // The observe server's own words start with the key: said once, where it stands.
  const key = formatPath(path);
  const message = err.message.startsWith(`${key} `) ? err.message.slice(key.length + 1) : err.message;
  return new FieldbridgeError(err.code, formatIssue(issueAt(file, text, path, message)), { cause: err });
}
