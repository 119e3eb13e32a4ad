import { backoffDelayMs } from '../shared/backoff.js';

/** Options of {@link createReconnector}. Units are in the names. */
export interface ReconnectorOptions {
  /** Delay after the first failure, in ms. */
  initialMs: number;
  /** Longest delay, in ms. */
  maxMs: number;
  /** Share of each delay randomised (0..1). Default 0.2. */
  jitter?: number;
  /** A connection that lasted this long counts as working: the next loss starts the backoff over. Default 30 000. */
  stableMs?: number;
  /** Monotonic ms. Default `performance.now()`. */
  now?: () => number;
  random?: () => number;
}

/**
 * The one reconnect policy of every bridge: exponential backoff with jitter between attempts, a
 * count of attempts, and a timer. A connection resets the backoff only once it has lasted
 * `stableMs`: a peer that accepts and then closes at once gets ever longer pauses, not a
 * reconnect every few hundred ms.
 */
export interface Reconnector {
  /** A connection is up. */
  connected(): void;
  /**
   * An attempt failed or a connection was lost: counts it and returns the delay before the next
   * attempt, in ms.
   */
  failed(): number;
  /** Attempts failed since the last stable connection. */
  attempts(): number;
  /** Counts a failure and runs `attempt` after its delay (replacing one pending); returns the delay. */
  schedule(attempt: () => void): number;
  /** True while an attempt is scheduled. */
  pending(): boolean;
  /** Cancels the scheduled attempt. */
  cancel(): void;
}

/** Creates a {@link Reconnector}. Its timer is `unref()`ed: it never holds the process open. */
export function createReconnector(o: ReconnectorOptions): Reconnector {
  const now = o.now ?? (() => performance.now());
  const stableMs = o.stableMs ?? 30_000;
  const backoff = { initialDelayMs: o.initialMs, maxDelayMs: Math.max(o.initialMs, o.maxMs), multiplier: 2, jitter: o.jitter ?? 0.2 };
  let failures = 0;
  let upSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reconnector: Reconnector = {
    connected() {
      upSince = now();
    },
    failed() {
      if (upSince !== undefined && now() - upSince >= stableMs) failures = 0;
      upSince = undefined;
      failures += 1;
      return Math.round(backoffDelayMs(failures, backoff, o.random));
    },
    attempts: () => failures,
    schedule(attempt) {
      reconnector.cancel();
      const delay = reconnector.failed();
      timer = setTimeout(() => {
        timer = undefined;
        attempt();
      }, delay);
      timer.unref();
      return delay;
    },
    pending: () => timer !== undefined,
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
  return reconnector;
}
