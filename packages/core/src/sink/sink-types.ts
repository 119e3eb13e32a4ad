import type { Clock } from '../clock/clock.js';
import type { Point, PointValue } from '../point/point.js';
import type { SpoolStats } from '../spool/spool.js';
import type { ReceiverState } from './_refusal.js';
import type { SinkEvents } from './sink-events.js';

/** The part of the sink a bridge writes to. */
export interface PointWriter {
  /** Queues a point. Never blocks, never throws: a bad point is counted and dead-lettered. */
  write(point: Point): void;
  /** Shorthand for `write({ metric, value, ...extras })`. */
  send(metric: string, value: PointValue, extras?: Omit<Point, 'metric' | 'value'>): void;
}

/** What the sink is doing, for health checks and the observe server. */
export interface SinkStatus {
  /** False once `close()` has begun. */
  accepting: boolean;
  /** True while the receiver refuses our credentials (401/403): data is kept, not sent. */
  refused: boolean;
  /** True while the spool is full under `when_full: block`: bridges should skip polls. */
  backpressured: boolean;
  /** True while the spool keeps failing (a damaged file, a full disk): nothing is delivered. */
  stalled: boolean;
  /** The spool's content. */
  spool: SpoolStats;
  /**
   * How the receiver answers, as last heard: `waiting` (not yet), `up`, `down` (not answering,
   * or answering with errors: data stays spooled) or `refused` (our credentials).
   */
  receiver: ReceiverState;
  /** Why the receiver is down or refuses, as last reported (`connect ECONNREFUSED ...`). */
  receiverReason?: string;
}

/** What {@link Sink.close} left undelivered. */
export interface SinkCloseReport {
  /** Points lost: left in a memory spool, or held while a full spool blocked intake. */
  lost: number;
  /** Points left in a disk spool, sent at the next start (or in a spool kept open, `keepSpool`). */
  kept: number;
  /**
   * Points refused while the sink ran (invalid, or refused by the receiver) and written to its
   * dead-letter file, with the reason: not lost, but not delivered either.
   */
  refused: number;
  /** The dead-letter file those points went to. */
  deadLetterPath: string;
}

/** Options of {@link Sink.close}. */
export interface SinkCloseOptions {
  /** How long to go on sending. Default `shutdownTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Leave the spool open with what is undelivered in it, for another sink given it as `spool`
   * (a reload in the same process): nothing in it is lost or counted as lost. For a spool the
   * sink was given; the caller closes it in the end.
   */
  keepSpool?: boolean;
  /**
   * Another sink of this process takes the spool over next and sends what is undelivered in it at
   * once (a reload that changed `sink:` but not the spool): the close says so (info), instead of a
   * warning that the next run sends it. A disk spool is closed, for that sink to open its file;
   * with `keepSpool` the spool stays open for it.
   */
  handOver?: boolean;
  /**
   * Where the caller still holds what a memory spool leaves undelivered (`fieldbridge resend`: the
   * files it read), said instead of calling those points lost; they are still counted in `lost`.
   */
  undeliveredHeldBy?: string;
}

/**
 * A metric-point sink: validation, batching, clock, spool, delivery. Its lifecycle events
 * (`connected`, `disconnected`, `reconnecting`, `reconnected`, `auth_failed`,
 * `backlog_drained`, `spool_full`, `points_dropped`) are heard with `on(event, listener)`.
 */
export interface Sink extends PointWriter, SinkEvents {
  /** The source id sent with every request; over WebSocket, the one the server assigned (adopted and persisted). */
  readonly sourceId: string;
  /** The sink's corrected clock; timestamps it adds come from here. */
  readonly clock: Clock;
  /**
   * The run its provisional timestamps belong to (see `SinkOptions.run`); a sink replacing this
   * one in the same process goes on with it. Optional for a hand-made sink.
   */
  readonly run?: string;
  /**
   * `timestamp` as the sink sends it: a stamp its clock gave before its first server sample is
   * moved onto server time by the offset it is sent with, once there is one; any other is as it
   * is. What reads stored stamps against `clock.now()` (a rule's `age()`) reads them through this.
   * `provisional: true` moves `timestamp` as such a stamp whatever clock gave it (another sink's of
   * this process, see {@link provisional}). Optional for a hand-made sink (then every stamp is as it is).
   */
  onServerTime?(timestamp: number, provisional?: boolean): number;
  /**
   * True when `timestamp` is a stamp of this sink's clock from before its first server sample and
   * the sink has no offset to move it by yet (`onServerTime` gives it as it is). Another file's
   * rules read such a stamp moved by their own sink's offset (`onServerTime(t, true)`): the clocks
   * of one process share their local time. Optional, like `onServerTime`.
   */
  provisional?(timestamp: number): boolean;
  /**
   * Queues a point. Never blocks, never throws: a bad point is counted and dead-lettered with
   * the reason. The sink takes its own copy at the call: changing the point, its value or its
   * tags afterwards changes nothing that is sent. Returns false when it refused the point (it
   * broke a rule of the point, or the sink is closed), true when it took it (`createSink`'s
   * sink always answers; a hand-made one may return nothing, which counts as taken).
   */
  write(point: Point): boolean | void;
  /**
   * Seals the open batch and resolves once everything written before the call is
   * acknowledged. Rejects with `FLUSH_TIMEOUT` at `timeoutMs` (default 30 000); the data
   * stays in the spool.
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Seals the open batch and resolves once everything written before the call is held by the
   * spool (on disk with `buffer.path`: it survives a crash from then on), or counted as dropped
   * by its policy. Batches are compressed off the event loop, so this takes about a millisecond.
   */
  spooled(): Promise<void>;
  /**
   * Stops intake, seals the open batch, sends for at most `timeoutMs` (default
   * `shutdownTimeoutMs`: a caller that spent part of its stop budget already passes what is
   * left), then closes. What is not delivered stays in a disk spool for the next start (a
   * memory spool loses it, and says how much in the log). Idempotent: every call resolves with
   * the first call's report.
   */
  close(options?: SinkCloseOptions): Promise<SinkCloseReport>;
  /** Current state, cheap to call. */
  status(): SinkStatus;
  /**
   * Resolves once the sink takes data again after backpressure (the spool full under
   * `when_full: block`), at once when it does, or when `signal` aborts. Optional so hand-made
   * sinks need not implement it.
   */
  whenWritable?(signal?: AbortSignal): Promise<void>;
  /** Sets the session id stamped on points that carry none (`undefined` ends it). */
  setSession(sessionId: string | undefined): void;
  /**
   * Sets who applies `configure` requests a dashboard sends over WebSocket (`undefined`
   * removes it; requests are then answered with an error). `startBridge` connects the running
   * bridge here. Optional so hand-made sinks need not implement it.
   */
  onConfigure?(handler: ((config: unknown) => Promise<unknown>) | undefined): void;
}
