/**
 * Waiting on state a test helper changes (frames collected, bytes received): `notify()` after
 * every change re-checks each waiting predicate, so tests synchronise on what happened, never on
 * elapsed time. A wait rejects naming `what` after `timeoutMs`.
 */
export function createWaiters(): { notify(): void; until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void> } {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const w of [...waiters]) w();
    },
    until(predicate, what, timeoutMs = 10_000) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}
