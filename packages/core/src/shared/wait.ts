import { whenAborted } from './abort-watch.js';

/**
 * Resolves after `ms`, or as soon as any of `signals` aborts; the timer and the waits go with it.
 * Several signals are watched directly rather than through `AbortSignal.any`, whose composite
 * signal outlives the wait, and through {@link whenAborted}, which keeps one listener per signal.
 */
export function sleep(ms: number, ...signals: ReadonlyArray<AbortSignal | undefined>): Promise<void> {
  if (ms <= 0 || signals.some((signal) => signal?.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const stops: Array<() => void> = [];
    const done = () => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of signals) if (signal) stops.push(whenAborted(signal, done));
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
