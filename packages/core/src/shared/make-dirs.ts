import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: creates `dir` and the directories missing above it, each with `mode`; returns the
 * first directory created, or undefined when `dir` was there (as `mkdirSync`'s `recursive` does).
 * One level at a time, so it cannot hang: Node's recursive `mkdirSync` loops for ever where the
 * kernel answers ENOENT below a directory that exists (`/proc`, `/sys`); this throws that error.
 */
export function makeDirs(dir: string, mode?: number): string | undefined {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let at = target; !exists(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of missing) {
    try {
      mkdirSync(at, { mode });
    } catch (err) {
      // Made meanwhile by another process: what was wanted.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(at).isDirectory()) throw err;
    }
  }
  return missing[0];
}

/** Whether something is at `path`; a file in the way (ENOTDIR) counts as nothing, for mkdir to refuse. */
function exists(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
