import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createClock } from '../clock/create-clock.js';
import { FieldbridgeError } from '../errors.js';
import type { Point } from '../point/point.js';
import { validatePoint } from '../point/validate-point.js';
import { createProblemReporter } from '../shared/problems.js';
import { createSpool } from '../spool/create-spool.js';
import type { AppendResult, DroppedBatch } from '../spool/spool.js';
import { createTransport } from './_select-transport.js';
import type { Batch } from '../shared/batch.js';
import { createBatcher } from './batcher.js';
import { createDeadLetter } from './dead-letter.js';
import { createDelivery } from './delivery.js';
import { createOutstanding } from './outstanding.js';
import { createDashboardControl } from '../control/dashboard-control.js';
import { createSinkMetrics } from './sink-metrics.js';
import { resolveSinkOptions, type SinkOptions } from './sink-options.js';
import type { Sink } from './sink-types.js';

/** Sealed batches held in memory while the spool is full under `when_full: block`. */
const MAX_BLOCKED_BATCHES = 8;

/**
 * Creates a sink: `write()` validates, stamps and batches points; sealed batches go to the
 * spool; a delivery loop sends them and removes each only once acknowledged (DESIGN section 4).
 * With a `ws(s)://` URL the transport is the WebSocket device protocol, and the sink acts on a
 * dashboard's control messages: `start_stream` filters the write path (before the spool),
 * sessions tag points, `configure` goes to the handler set with `onConfigure`.
 * Throws `OPTIONS_INVALID` for bad options, `SPOOL_LOCKED` when another process holds the spool.
 */
export function createSink(options: SinkOptions): Sink {
  const o = resolveSinkOptions(options);
  const logger = o.logger ?? pino({ name: 'fieldbridge' }, pino.destination(2));
  const clock = o.clock ?? createClock();
  const problems = createProblemReporter(logger);
  const spool = o.spool ?? createSpool({ ...o.buffer, logger });
  const deadLetter = createDeadLetter(
    o.deadLetterPath ?? (o.buffer?.path ? join(o.buffer.path, 'dead-letter.ndjson') : 'fieldbridge-dead-letter.ndjson'),
    logger,
  );
  const registry = o.registry ?? new Registry();
  const control = createDashboardControl({ now: clock.monotonicNow, session: o.session });
  // Batches an earlier process left behind are all older than this start; flush() waits for them.
  const startedAtMs = clock.now();
  let backlog = spool.stats().batches > 0;
  const outstanding = createOutstanding(() => {
    if (!backlog) return false;
    const oldest = spool.stats().oldestCreatedAtMs;
    backlog = oldest !== undefined && oldest < startedAtMs;
    return backlog;
  });
  if (backlog) logger.info({ points: spool.stats().points }, 'sending the backlog kept in the spool, oldest first');
  const blocked: Batch[] = [];
  let accepting = true;

  const metrics = createSinkMetrics(registry, {
    spool: () => spool.stats(),
    clock,
    refused: () => delivery.refused(),
    backpressured: () => blocked.length > 0,
  });
  // Created last, once nothing else can throw: a WebSocket transport connects at once.
  const created = o.transport ? { transport: o.transport, ws: undefined } : createTransport(o, { clock, logger, problems, registry, control });
  const transport = created.transport;
  const delivery = createDelivery({
    spool, transport, deadLetter, logger, problems, clock, metrics,
    retry: o.retry,
    timeoutMs: o.timeoutMs,
    concurrency: o.concurrency,
    maxPointsPerSecond: o.maxPointsPerSecond,
    onSettled: (id) => {
      outstanding.settle(id);
      admitBlocked();
    },
    onReplaced: (parent, parts) => outstanding.replace(parent, parts),
  });

  const append = (batch: Batch): boolean => {
    let result: AppendResult;
    try {
      result = spool.append(batch);
    } catch (err) {
      // A failing disk (full, read-only) must not make write() throw: hold the batch, retry.
      problems.report('spool:error', `the spool cannot store data (${(err as Error).message}); holding it in memory and retrying`, { err });
      return false;
    }
    problems.resolve('spool:error', 'the spool stores data again');
    for (const { batch: dropped, reason } of result.dropped) {
      metrics.dropped.inc({ reason }, dropped.points.length);
      problems.report(`spool:${reason}`, `spool ${reason === 'expired' ? 'expired' : 'full'}: dropping data as configured (when_full, max_age)`, { reason });
      outstanding.settle(dropped.id);
    }
    if (result.accepted) delivery.notify();
    return result.accepted || result.dropped.some((d) => d.batch.id === batch.id);
  };

  let retryTimer: NodeJS.Timeout | undefined;
  function admitBlocked(): void {
    while (blocked.length > 0 && append(blocked[0]!)) blocked.shift();
    if (blocked.length === 0) {
      problems.resolve('spool:block', 'spool has room again; accepting data');
    } else if (!retryTimer) {
      // Room usually frees up on an acknowledgement; the timer covers a spool that failed.
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        admitBlocked();
      }, 1000).unref();
    }
  }

  const batcher = createBatcher({
    ...o.batch,
    now: clock.now,
    onSeal(batch) {
      outstanding.add(batch.id);
      if (blocked.length === 0 && append(batch)) return;
      if (blocked.length >= MAX_BLOCKED_BATCHES) {
        metrics.dropped.inc({ reason: 'blocked' }, batch.points.length);
        outstanding.settle(batch.id);
        return;
      }
      blocked.push(batch);
      problems.report('spool:block', 'spool full (when_full: block): bridges skip polls until it drains');
      admitBlocked();
    },
  });

  const expiry = o.buffer?.maxAgeMs
    ? setInterval(() => {
        for (const { batch } of spool.expire(clock.now())) {
          metrics.dropped.inc({ reason: 'expired' }, batch.points.length);
          problems.report('spool:expired', 'dropping spooled data older than buffer.max_age');
          outstanding.settle(batch.id);
        }
      }, Math.min(60_000, Math.max(1000, o.buffer.maxAgeMs / 10))).unref()
    : undefined;

  let closing: Promise<void> | undefined;

  const sink: Sink = {
    get sourceId() {
      return created.ws?.sourceId() ?? o.sourceId;
    },
    clock,
    write(input: Point) {
      metrics.received.inc();
      if (!accepting) {
        deadLetter.write([input], 'written after close()');
        metrics.dropped.inc({ reason: 'closed' });
        return;
      }
      const point = stamp(input);
      const reason = validatePoint(point);
      if (reason) {
        deadLetter.write([input], reason);
        metrics.dropped.inc({ reason: 'invalid' });
        problems.report('invalid-point', `invalid point refused and written to ${deadLetter.path}: ${reason}`, { metric: (input as Point)?.metric });
        return;
      }
      const verdict = control.admit(point);
      if (verdict !== 'pass') {
        metrics.dropped.inc({ reason: verdict });
        return;
      }
      metrics.written.inc();
      batcher.add(point);
    },
    send(metric, value, extras) {
      sink.write({ ...extras, metric, value });
    },
    async flush(flushOptions) {
      batcher.seal();
      const timeoutMs = flushOptions?.timeoutMs ?? 30_000;
      await outstanding.drained(timeoutMs).catch((err: unknown) => {
        throw new FieldbridgeError('FLUSH_TIMEOUT', `flush: not everything was acknowledged within ${timeoutMs} ms; the data stays in the spool`, { cause: err });
      });
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
    status: () => ({ accepting, refused: delivery.refused(), backpressured: blocked.length > 0, spool: spool.stats() }),
    setSession: (id) => control.setSession(id),
    onConfigure: (handler) => control.onConfigure(handler),
  };

  function stamp(input: Point): Point {
    if (typeof input !== 'object' || input === null) return input;
    const point: Point = { ...input };
    if (point.timestamp === undefined) point.timestamp = clock.now();
    if (o.tags) point.tags = { ...o.tags, ...input.tags };
    const session = control.session();
    if (session !== undefined && point.session_id === undefined) point.session_id = session;
    return point;
  }

  async function shutdown(): Promise<void> {
    accepting = false;
    batcher.seal();
    batcher.stop();
    if (expiry) clearInterval(expiry);
    admitBlocked();
    if (retryTimer) clearTimeout(retryTimer);
    // While the receiver refuses our key there is nothing to wait for: the data stays spooled.
    if (!delivery.refused()) await outstanding.drained(o.shutdownTimeoutMs).catch(() => undefined);
    await delivery.stop();
    await transport.shutdown();
    const unstored = blocked.reduce((n, b) => n + b.points.length, 0);
    if (unstored > 0) {
      metrics.dropped.inc({ reason: 'blocked' }, unstored);
      logger.error({ points: unstored }, `${unstored} points held while the spool was full could not be stored before exit`);
    }
    const left = spool.stats().points;
    if (left > 0 && spool.kind === 'memory') {
      logger.error({ points: left }, `${left} undelivered points are lost with the memory spool; set sink.buffer.path to keep them across restarts`);
    } else if (left > 0) {
      logger.warn({ points: left, path: o.buffer?.path }, `${left} undelivered points kept in the spool; they are sent at the next start`);
    }
    spool.close();
    deadLetter.close();
  }

  return sink;
}
