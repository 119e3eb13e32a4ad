/** One measurement of the server's clock against ours. */
export interface ClockSample {
  /**
   * The server's time when it answered, in ms since the epoch. For a four-timestamp exchange
   * (`time_sync`: received at t1, answered at t2) pass the midpoint `(t1 + t2) / 2`.
   */
  serverTimeMs: number;
  /** Our monotonic epoch time when the request left, in ms. */
  sentAtMs: number;
  /** Our monotonic epoch time when the answer arrived, in ms. */
  receivedAtMs: number;
  /** How coarse `serverTimeMs` is, in ms (1000 for an HTTP `Date` header). Default 1. */
  resolutionMs?: number;
  /**
   * How long the server held the request before answering (t2 - t1), in ms. Subtracted from
   * the round trip, since that time is not spent on the network. Default 0.
   */
  serverHoldMs?: number;
}

/**
 * Time for the sink. `now()` is a monotonic clock anchored to the epoch at process start,
 * plus an offset to the server's time, so a step of the local wall clock never reorders
 * points. Injected everywhere time is read, so tests control it.
 */
export interface Clock {
  /**
   * Corrected time: monotonic epoch ms plus the server offset. Never smaller than an earlier
   * result, except after a correction larger than the clock's step threshold.
   */
  now(): number;
  /** Uncorrected monotonic epoch ms (`performance.timeOrigin + performance.now()`). */
  monotonicNow(): number;
  /** Current offset to server time in ms (server minus local); 0 until a sample arrives. */
  offsetMs(): number;
  /** Round trip of the sample the offset came from, in ms; undefined before any sample. */
  roundTripMs(): number | undefined;
  /** Offers a measurement; of the recent window, the sample with the smallest error wins. */
  addSample(sample: ClockSample): void;
}
