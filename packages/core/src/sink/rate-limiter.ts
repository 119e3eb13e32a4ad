import { sleep } from '../shared/wait.js';

/**
 * A token bucket over points: at most `pointsPerSecond` on average, with a burst of one
 * second's worth. A batch larger than the burst goes through and is paid for afterwards.
 */
export interface RateLimiter {
  /** Waits until `points` may be sent (or `signal` aborts). */
  take(points: number, signal: AbortSignal): Promise<void>;
}

/** Creates a {@link RateLimiter}; `now` is a monotonic ms clock. */
export function createRateLimiter(pointsPerSecond: number, now: () => number): RateLimiter {
  let tokens = pointsPerSecond;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(pointsPerSecond, tokens + ((t - last) / 1000) * pointsPerSecond);
    last = t;
  };
  return {
    async take(points, signal) {
      refill();
      while (tokens <= 0 && !signal.aborted) {
        await sleep(Math.ceil((-tokens / pointsPerSecond) * 1000) + 1, signal);
        refill();
      }
      tokens -= points;
    },
  };
}
