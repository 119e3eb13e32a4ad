import { afterEach } from 'vitest';

/** Something to undo after a test: a socket, a link, a serial pair, a temp dir. */
export type Cleanup = () => Promise<void> | void;

/**
 * Per-file cleanup: `track(fn)` registers an undo step; after each test they run newest first,
 * every one even when some fail, then the first failure is thrown.
 */
export function cleanups(): (fn: Cleanup) => void {
  const pending: Cleanup[] = [];
  afterEach(async () => {
    let first: unknown;
    for (const fn of pending.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  });
  return (fn) => {
    pending.push(fn);
  };
}
