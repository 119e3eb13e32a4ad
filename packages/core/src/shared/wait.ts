/**
 * Resolves after `ms`, or as soon as any of `signals` aborts; the timer and listeners go with it.
 * Several signals are watched directly rather than through `AbortSignal.any`, whose composite
 * signal outlives the wait (per batch, that is garbage the old generation keeps).
 */
export function sleep(ms: number, ...signals: ReadonlyArray<AbortSignal | undefined>): Promise<void> {
  if (ms <= 0 || signals.some((signal) => signal?.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of signals) signal?.addEventListener('abort', done, { once: true });
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
