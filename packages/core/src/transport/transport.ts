import type { Batch } from '../shared/batch.js';

/**
 * The answer of one send. Failures are values, not exceptions, so the delivery loop can
 * apply the answer policy (DESIGN section 4) in one place.
 */
export type SendResult =
  /** Stored by the receiver. `serverTimeMs` feeds the clock when the answer carries it. */
  | { status: 'success' }
  /** 429/502/503/504, timeout or connection error: try again later, forever. */
  | { status: 'retryable'; reason: string; statusCode?: number; retryInMs?: number }
  /** 500: try again a bounded number of times, then dead-letter. */
  | { status: 'server_error'; reason: string; statusCode: number; retryInMs?: number }
  /** 413 or over the transport's own size cap: cut the batch in two. */
  | { status: 'too_large'; reason: string }
  /** 400: some point was refused; `index` names it when the receiver said which. */
  | { status: 'rejected'; reason: string; index?: number }
  /** 401/403 or a refused WebSocket handshake: stop, keep data, probe slowly. */
  | { status: 'unauthorized'; reason: string; statusCode?: number };

/** What a clock probe found: synced (true), no sample (false), or why the receiver was not reached. */
export type ClockProbe = boolean | Extract<SendResult, { status: 'retryable' }>;

/** Per-send options. */
export interface SendOptions {
  /** Give up on this attempt after this many ms (the answer is then `retryable`). */
  timeoutMs: number;
  /** Aborts the attempt (shutdown). */
  signal?: AbortSignal;
}

/**
 * Told how the connection to the receiver goes, for the sink's lifecycle events. A transport
 * with a connection of its own (WebSocket) reports it; for one without (HTTP), the delivery loop
 * reports from the answers.
 */
export interface ConnectionObserver {
  /** The receiver answered (HTTP: stored a batch; WebSocket: authenticated). */
  up(): void;
  /** The connection was lost or the receiver failed to answer. */
  down(reason: string): void;
  /** The next attempt is scheduled: the `attempt`-th since the last success, in `delayMs`. */
  retrying(attempt: number, delayMs: number): void;
  /** The receiver refuses our credentials (401/403, or `device_auth` refused). */
  refused(message: string, status?: number): void;
}

/** Where sealed batches go: HTTP ingest, WebSocket device protocol, or stdout. */
export interface Transport {
  /** Short name for logs and metric labels: `http`, `ws`, `stdout`. */
  readonly name: string;
  /** True when the transport reports its own connection to a {@link ConnectionObserver}. */
  readonly reportsConnection?: boolean;
  /** Sends one batch; resolves with the answer, never rejects. */
  send(batch: Batch, options: SendOptions): Promise<SendResult>;
  /**
   * Takes a clock sample from the receiver without sending data (HTTP: a `HEAD` of the ingest
   * URL, whose answer carries the server's time; WebSocket: the handshake of the connection).
   * Resolves true once the clock is synced, false when no sample could be had within
   * `options.timeoutMs`, or a `retryable` answer when the receiver could not be reached at all
   * (the delivery loop then treats it as a failed send: backoff, `reconnecting`, a log line).
   * Absent on transports with no receiver clock (stdout): their timestamps are final when stamped.
   */
  syncClock?(options: SendOptions): Promise<ClockProbe>;
  /** Closes connections. Idempotent. */
  shutdown(): Promise<void>;
}
