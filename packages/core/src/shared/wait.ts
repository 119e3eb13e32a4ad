/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A set of waiters woken together: `wait()` resolves at the next `wake()`. */
export function createWakeup(): { wait(): Promise<void>; wake(): void } {
  let waiters: Array<() => void> = [];
  return {
    wait: () => new Promise<void>((resolve) => waiters.push(resolve)),
    wake() {
      const current = waiters;
      waiters = [];
      for (const resolve of current) resolve();
    },
  };
}
