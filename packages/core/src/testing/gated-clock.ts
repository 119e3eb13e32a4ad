/** A clock a replay paces itself by, whose time only the test moves on. */
export interface GatedClock {
  /** ms, from the start given. */
  now(): number;
  /** Ends at once while its end is within the limit (the time jumping to it); else waits for `runTo`, or ends when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * A clock for testing a paced replay (a log at its recorded pace) without waiting for it: the
 * replay's sleeps up to `runTo(limitMs)`'s limit end at once, the time jumping to their end;
 * `runTo` resolves once the replay waits for a time past the limit (everything due by then
 * handed on), or `ended` resolves. So a test stops a replay at a known place, as a reload would.
 */
export function createGatedClock(startMs = 0): { clock: GatedClock; runTo(limitMs: number, ended?: Promise<unknown>): Promise<void> } {
  let now = startMs;
  let limit = startMs;
  let parked: { until: number; wake: () => void } | undefined;
  let onPark: (() => void) | undefined;
  const clock: GatedClock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const until = now + ms;
        if (until <= limit) {
          now = until;
          resolve();
          return;
        }
        parked = { until, wake: () => ((parked = undefined), resolve()) };
        signal?.addEventListener('abort', parked.wake, { once: true });
        onPark?.();
      }),
  };
  const runTo = (limitMs: number, ended?: Promise<unknown>): Promise<void> => {
    limit = limitMs;
    const waiting = new Promise<void>((resolve) => (onPark = resolve));
    if (parked && parked.until <= limit) {
      now = parked.until;
      parked.wake();
    } else if (parked) return Promise.resolve();
    return Promise.race([waiting, ...(ended ? [ended.then(() => undefined, () => undefined)] : [])]);
  };
  return { clock, runTo };
}
