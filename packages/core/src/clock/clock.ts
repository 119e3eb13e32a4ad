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
  /**
   * True once a server sample has been accepted: the offset is measured, or a coarse sample (an
   * HTTP `Date` header) confirmed that the local clock is already within its resolution.
   * Timestamps taken before are provisional: the sink resolves them when this turns true.
   */
  synced(): boolean;
  /**
   * Offers a measurement; of the recent window, the sample with the smallest error wins. A
   * sample that contradicts the winner beyond both errors (the server's clock stepped, or another
   * server answers) replaces the window, so a reconnect to a corrected clock is followed at once. A
   * server time outside {@link PLAUSIBLE_SERVER_TIME} is refused (`implausible`), so a server
   * whose clock was reset cannot move ours to 1970 or past 2100.
   */
  addSample(sample: ClockSample): SampleVerdict;
}

/** What {@link Clock.addSample} did with a sample. */
export type SampleVerdict =
  /** It joined the window (and may now be the best sample). */
  | 'used'
  /** A coarse sample no further off than its own resolution: the local clock is confirmed as is. */
  | 'confirmed'
  /** The server time is not plausible; ignored. */
  | 'implausible';

/** The range of server times a clock accepts, in ms since the epoch: 2020-01-01 to 2100-01-01. */
export const PLAUSIBLE_SERVER_TIME = { minMs: Date.UTC(2020, 0, 1), maxMs: Date.UTC(2100, 0, 1) } as const;
