import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Why this process could not make or write the spool directory `path` (relative to the working
 * directory, as a run reads it), found without creating anything: the directory when it exists,
 * else its nearest existing ancestor, which must let the run create it. Undefined when it can.
 */
export function spoolPathProblem(path: string): string | undefined {
  const target = resolve(path);
  let at = target;
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) return at === target ? `${path} is not a directory; name a directory (it is created when missing)` : `${path} cannot be created: ${at} is a file, not a directory`;
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${path} cannot be used: ${(err as Error).message}`;
      const up = dirname(at);
      if (up === at) return undefined;
      at = up;
    }
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
    const what = at === target ? `the directory ${path} is not writable` : `${path} does not exist and cannot be created there: ${at} is not writable`;
    return `${what} by this user${who} (${code}); make it writable by the user the bridge runs as, or set sink.buffer.path to a directory that user can write`;
  }
}
