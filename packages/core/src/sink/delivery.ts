import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { Spool } from '../spool/spool.js';
import { backoffDelayMs } from '../shared/backoff.js';
import type { RetryOptions } from '../transport/retry-policy.js';
import type { ConnectionObserver, SendResult, Transport } from '../transport/transport.js';
import { sleep, createWakeup } from '../shared/wait.js';
import type { Point } from '../point/point.js';
import type { Batch } from '../shared/batch.js';
import { batchPoints, deriveBatch, type BatchCodec } from '../shared/batch-codec.js';
import type { DeadLetter } from './dead-letter.js';
import { createRateLimiter } from './rate-limiter.js';
import type { EarlyStamps } from './_early-stamps.js';
import { resolveUnsynced, unsyncedCount, withoutUnsynced } from './_stamps.js';
import type { SpoolHealth } from './_spool-health.js';
import type { DropReason, SinkMetrics } from './sink-metrics.js';

/** Options of {@link createDelivery}. */
export interface DeliveryOptions {
  spool: Spool;
  transport: Transport;
  deadLetter: DeadLetter;
  metrics: SinkMetrics;
  logger: Logger;
  problems: ProblemReporter;
  clock: Clock;
  retry: RetryOptions;
  /** Timeout of one send attempt, in ms. */
  timeoutMs: number;
  /** Batches in flight at once. */
  concurrency: number;
  /** Ceiling on points sent per second (backlog pacing); undefined for none. */
  maxPointsPerSecond: number | undefined;
  random?: () => number;
  /** Counts dropped points (and raises the sink's `points_dropped` event). */
  drop(reason: DropReason, count: number): void;
  /** Told how sending goes, for transports that do not report their own connection (HTTP). */
  connection: ConnectionObserver;
  /**
   * True while the connection is refused as reported to `connection` (by the transport itself for
   * a WebSocket whose `device_auth` was refused, which it also logs): part of {@link Delivery.refused}.
   */
  connectionRefused(): boolean;
  /** This sink's run: provisional timestamps of this run are resolved with its clock. */
  run: string;
  /** The stamps of the sink's clock before its first sample, and the one offset they are all resolved with. */
  earlyStamps: Pick<EarlyStamps, 'has' | 'offsetMs'>;
  /** Monotonic ms after which provisional timestamps go as they are when the clock is still not synced. */
  syncDeadlineMs: number;
  /** True when the spool held data of an earlier run at start: its delivery ends a backlog. */
  backlogAtStart: boolean;
  /** The spool was emptied after an outage or a backlog from an earlier run, `durationMs` after it began. */
  onBacklogDrained(durationMs: number): void;
  /** A batch left the spool for good (acknowledged or dead-lettered). */
  onSettled(id: string): void;
  /** A batch was cut into parts that take its place. */
  onReplaced(parentId: string, partIds: string[]): void;
  /** How the spool is doing; failures are reported there and never stop a lane. */
  health: SpoolHealth;
  /** How batches cut into parts (or re-stamped) are encoded again. */
  codec: BatchCodec;
}

/** The loop that moves batches from the spool through the transport, applying the answer policy. */
export interface Delivery {
  /** Wakes idle senders: a batch was appended. */
  notify(): void;
  /** True while the receiver refuses our credentials. */
  refused(): boolean;
  /**
   * Someone waits for delivery (a flush, a close): a retry waiting out its backoff goes now, and
   * until the returned function is called, retries come at least every {@link HURRIED_RETRY_MS}
   * (a `Retry-After` still holds). Without it, a receiver back from a short outage was retried
   * only after the shutdown timeout had run out, and a memory spool's data was lost.
   */
  hurry(): () => void;
  /** Stops sending; an attempt in flight is aborted and its batch stays in the spool. */
  stop(): Promise<void>;
}

/** Longest wait between retries while a flush or close waits for delivery. */
export const HURRIED_RETRY_MS = 1000;

/** Starts the delivery loop (DESIGN section 4, "Answers"). */
export function createDelivery(o: DeliveryOptions): Delivery {
  const abort = new AbortController();
  const wakeup = createWakeup();
  const limiter = o.maxPointsPerSecond ? createRateLimiter(o.maxPointsPerSecond, o.clock.monotonicNow) : undefined;
  const serverErrors = new Map<string, number>();
  let failures = 0;
  /** Failed attempts so far: a success of an attempt made before the last failure proves nothing. */
  let failuresSeen = 0;
  let hurried = 0;
  /** Until when the receiver asked us to wait (`Retry-After`): a hurry does not cut that short. */
  let askedWaitUntil = 0;
  /** Aborted to cut a backoff short (see `hurry`). */
  let cutShort = new AbortController();
  let syncWaits = 0;
  let resumeAtMs = 0;
  let refused = false;
  let backlogSince: number | undefined = o.backlogAtStart ? o.clock.monotonicNow() : undefined;
  // Over HTTP the delivery loop is the only one who sees how the connection goes.
  const connection: ConnectionObserver | undefined = o.transport.reportsConnection ? undefined : o.connection;

  const pause = (ms: number) => {
    resumeAtMs = Math.max(resumeAtMs, o.clock.monotonicNow() + ms);
  };

  const giveUp = (batch: Batch, points: readonly Point[], reason: string, drop: DropReason) => {
    o.deadLetter.write(points, reason);
    o.drop(drop, points.length);
    o.problems.report(`dead-letter:${drop}`, `points refused and written to ${o.deadLetter.path}`, { reason, batch: batch.id });
  };

  const settle = (batch: Batch) => {
    o.spool.ack(batch.id);
    serverErrors.delete(batch.id);
    o.onSettled(batch.id);
    if (backlogSince !== undefined && o.spool.stats().batches === 0) {
      o.onBacklogDrained(o.clock.monotonicNow() - backlogSince);
      backlogSince = undefined;
    }
  };
  const held = () => {
    if (backlogSince === undefined && o.spool.stats().batches > 0) backlogSince = o.clock.monotonicNow();
  };

  const replace = (batch: Batch, parts: Batch[]) => {
    serverErrors.delete(batch.id);
    o.spool.replace(batch.id, parts);
    o.onReplaced(batch.id, parts.map((p) => p.id));
    wakeup.wake();
  };

  const bisect = (batch: Batch, reason: string, drop: DropReason) => {
    const points = batchPoints(batch);
    if (points.length === 1) {
      giveUp(batch, points, reason, drop);
      settle(batch);
      return;
    }
    const half = Math.ceil(points.length / 2);
    replace(batch, [deriveBatch(batch, points.slice(0, half), 'a', o.codec), deriveBatch(batch, points.slice(half), 'b', o.codec)]);
  };

  const retryLater = (batch: Batch, result: Extract<SendResult, { reason: string }>, statusCode?: number) => {
    o.spool.release(batch.id);
    failures += 1;
    failuresSeen += 1;
    o.metrics.sendErrors.inc({ status: String(statusCode ?? 'network') });
    // The server may lengthen the wait (Retry-After), never shorten it below the backoff.
    const full = backoffDelayMs(failures, o.retry, o.random);
    const backoff = hurried > 0 ? Math.min(full, HURRIED_RETRY_MS) : full;
    const asked = 'retryInMs' in result ? result.retryInMs : undefined;
    if (asked !== undefined) askedWaitUntil = Math.max(askedWaitUntil, o.clock.monotonicNow() + asked);
    const delay = asked !== undefined ? Math.max(backoff, asked) : backoff;
    pause(delay);
    held();
    connection?.down(result.reason);
    connection?.retrying(failures, delay);
    o.problems.report('delivery', `sending failed, data kept in the spool and retried: ${result.reason}`, { retryInMs: Math.round(delay) });
  };

  /** `failuresBefore`: failed attempts counted when this one was made. */
  const handle = (batch: Batch, result: SendResult, failuresBefore: number) => {
    o.metrics.batches.inc({ result: result.status });
    switch (result.status) {
      case 'success':
        // An attempt made before the last failure (two in flight, one answered as the receiver
        // went down) says nothing of how the receiver is now: only a later one ends the episode.
        if (failuresBefore === failuresSeen) {
          connection?.up();
          failures = 0;
          if (refused) o.logger.info('the receiver accepts our credentials again; sending what was kept');
          refused = false;
          o.problems.resolve('delivery', 'delivery recovered');
        }
        // Counted once acknowledged by the spool too: a failed ack resends the batch, and a
        // resend must not count twice.
        settle(batch);
        o.metrics.sent.inc(batch.count);
        return;
      case 'retryable':
        retryLater(batch, result, result.statusCode);
        return;
      case 'server_error': {
        const attempts = (serverErrors.get(batch.id) ?? 0) + 1;
        if (attempts >= o.retry.maxServerErrorAttempts) {
          o.metrics.sendErrors.inc({ status: String(result.statusCode) });
          giveUp(batch, batchPoints(batch), `${result.reason} (after ${attempts} attempts)`, 'server_error');
          settle(batch);
          return;
        }
        retryLater(batch, result, result.statusCode);
        serverErrors.set(batch.id, attempts);
        return;
      }
      case 'too_large':
        o.metrics.sendErrors.inc({ status: '413' });
        bisect(batch, result.reason, 'too_large');
        return;
      case 'rejected': {
        o.metrics.sendErrors.inc({ status: '400' });
        const i = result.index;
        if (i === undefined || i >= batch.count || batch.count === 1) {
          bisect(batch, result.reason, 'rejected');
          return;
        }
        const points = batchPoints(batch);
        giveUp(batch, points.slice(i, i + 1), result.reason, 'rejected');
        replace(batch, [deriveBatch(batch, points.filter((_, j) => j !== i), `r${i}`, o.codec)]);
        return;
      }
      case 'unauthorized': {
        o.spool.release(batch.id);
        held();
        o.metrics.sendErrors.inc({ status: String(result.statusCode ?? 'auth') });
        // A refused WebSocket handshake was reported and logged by the transport, which clears it
        // when it authenticates again; a refusal only this loop hears (an HTTP answer, a refused
        // frame) is set before the event, so an auth_failed listener sees it, and logged once.
        const reported = !connection && o.connectionRefused();
        if (!refused && !reported) {
          refused = true;
          o.logger.error(
            { reason: result.reason },
            `the receiver refuses our credentials (${result.reason}). Nothing is lost: points are kept in the spool, not sent. ` +
              `Fix sink.api_key (or its write scope); fieldbridge tries again every ${Math.round(o.retry.authProbeIntervalMs / 1000)} s.`,
          );
        }
        connection?.refused(result.reason, result.statusCode);
        pause(o.retry.authProbeIntervalMs);
        return;
      }
    }
  };

  /**
   * The batch as it should go out: provisional timestamps of this run moved onto server time
   * once the clock is synced (asking the receiver for its time first), or sent as they are
   * (counted) past the deadline or when an earlier run stamped them. Undefined: wait for a sample;
   * a `retryable` answer: the receiver could not be reached for its time.
   */
  const withFinalStamps = async (batch: Batch): Promise<Batch | undefined | Extract<SendResult, { status: 'retryable' }>> => {
    if (!batch.unsynced) return batch;
    if (batch.unsynced.run === o.run) {
      if (!o.clock.synced() && o.transport.syncClock) {
        const probe = await o.transport.syncClock({ timeoutMs: o.timeoutMs, signal: abort.signal });
        if (typeof probe === 'object' && !abort.signal.aborted) return probe;
      }
      const offsetMs = o.earlyStamps.offsetMs();
      if (offsetMs !== undefined) return resolveUnsynced(batch, offsetMs, o.codec, o.earlyStamps.has);
      if (o.clock.monotonicNow() < o.syncDeadlineMs) return undefined;
    }
    o.metrics.unsynced.inc(unsyncedCount(batch));
    o.problems.report(
      'clock:unsynced',
      batch.unsynced.run === o.run
        ? 'no server time within clock.first_sample_wait_ms: sending points with the local clock (fieldbridge_points_unsynced_total)'
        : 'sending points an earlier run stamped before it had server time: they keep that run\'s local clock',
    );
    return withoutUnsynced(batch);
  };

  const lane = async () => {
    while (!abort.signal.aborted) {
      const wait = resumeAtMs - o.clock.monotonicNow();
      if (wait > 0) {
        await sleep(wait, abort.signal, cutShort.signal);
        continue;
      }
      let leased: Batch | undefined;
      try {
        leased = o.spool.lease(1)[0];
      } catch (err) {
        pause(o.health.failed(err, 'read'));
        continue;
      }
      if (!leased) {
        await wakeup.wait();
        continue;
      }
      const batch = await withFinalStamps(leased);
      if (batch && 'status' in batch) {
        // Unreachable before the first batch: the same backoff, events and log as a failed send.
        retryLater(leased, batch);
        continue;
      }
      if (!batch) {
        o.spool.release(leased.id);
        syncWaits += 1;
        pause(Math.min(backoffDelayMs(syncWaits, o.retry, o.random), Math.max(1, o.syncDeadlineMs - o.clock.monotonicNow())));
        continue;
      }
      if (limiter) await limiter.take(batch.count, abort.signal);
      const failuresBefore = failuresSeen;
      const result = abort.signal.aborted
        ? ({ status: 'retryable', reason: 'stopped' } as const)
        : await o.transport.send(batch, { timeoutMs: o.timeoutMs, signal: abort.signal });
      if (abort.signal.aborted && result.status !== 'success') {
        o.spool.release(batch.id);
        return;
      }
      try {
        handle(batch, result, failuresBefore);
        o.health.ok();
      } catch (err) {
        // The spool failed (disk full, file damaged): keep the lane alive and try again later.
        o.spool.release(batch.id);
        pause(o.health.failed(err, result.status === 'success' ? 'acknowledge' : 'update'));
      }
    }
  };

  // A lane that fails unexpectedly is restarted after a pause: delivery never stops for good.
  const supervised = async (): Promise<void> => {
    for (let crashes = 1; !abort.signal.aborted; crashes++) {
      try {
        await lane();
        return;
      } catch (err) {
        o.logger.error({ err }, 'a delivery lane failed; restarting it (data stays in the spool)');
        await sleep(backoffDelayMs(crashes, o.retry, o.random), abort.signal);
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, o.concurrency) }, supervised);

  return {
    notify: () => wakeup.wake(),
    refused: () => refused || o.connectionRefused(),
    hurry() {
      hurried += 1;
      // A backoff is cut short, to what the receiver asked for if it did (not the credentials' probe interval).
      const floor = Math.max(o.clock.monotonicNow(), askedWaitUntil);
      if (!refused && resumeAtMs > floor) {
        resumeAtMs = askedWaitUntil;
        cutShort.abort();
        cutShort = new AbortController();
      }
      wakeup.wake();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        hurried -= 1;
      };
    },
    async stop() {
      abort.abort();
      wakeup.wake();
      await Promise.all(lanes);
    },
  };
}
