import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createClock } from '../clock/create-clock.js';
import { createDashboardControl } from '../control/dashboard-control.js';
import { FieldbridgeError } from '../errors.js';
import { newBatchId } from '../shared/batch.js';
import type { BatchCodec } from '../shared/batch-codec.js';
import { LOG_SERIALIZERS } from '../shared/log-error.js';
import { createProblemReporter } from '../shared/problems.js';
import { createSpool } from '../spool/create-spool.js';
import { DEFAULT_SPOOL_MAX_BYTES } from '../spool/capacity.js';
import { createBatcher } from './batcher.js';
import { createDeadLetter, deadLetterPathOf } from './dead-letter.js';
import { createDelivery } from './delivery.js';
import { createOutstanding } from './outstanding.js';
import { connectionEvents, createSinkEvents, dropEpisodes } from './sink-events.js';
import { createSinkMetrics, type DropReason } from './sink-metrics.js';
import { resolveSinkOptions, type SinkOptions } from './sink-options.js';
import type { Sink, SinkCloseReport } from './sink-types.js';
import { rememberEarlyStamps } from './_early-stamps.js';
import { trackRefusal } from './_refusal.js';
import { createIntake } from './_intake.js';
import { createTransport } from './_select-transport.js';
import { createSpoolFeed } from './_spool-feed.js';
import { createSpoolHealth } from './_spool-health.js';

/**
 * Creates a sink: `write()` validates, stamps and batches points; sealed batches go to the
 * spool; a delivery loop sends them and removes each only once acknowledged (DESIGN section 4).
 * With a `ws(s)://` URL the transport is the WebSocket device protocol, and the sink acts on a
 * dashboard's control messages: `start_stream` filters the write path (before the spool),
 * sessions tag points, `configure` goes to the handler set with `onConfigure`.
 *
 * Timestamps the sink stamps before its clock has a server sample are provisional: they are
 * kept in the local clock's terms with the batch, and moved onto server time when the batch goes
 * out (the transport asks the receiver for its time first), so the first batch of a run is
 * corrected too. So are stamps taken then from `sink.clock` (a bridge's receipt times, an alert's
 * `timestamp`, `since` and `fired_at`), wherever and whenever they are written, all by one offset.
 * Past `firstSampleWaitMs` without a sample they go as they are, counted.
 *
 * Throws `OPTIONS_INVALID` for bad options, `SPOOL_LOCKED` when another process holds the spool.
 */
export function createSink(options: SinkOptions): Sink {
  const o = resolveSinkOptions(options);
  const logger = o.logger ?? pino({ name: 'fieldbridge', serializers: LOG_SERIALIZERS }, pino.destination(2));
  const problems = createProblemReporter(logger);
  const registry = o.registry ?? new Registry();
  let metrics: ReturnType<typeof createSinkMetrics> | undefined;
  const clock =
    o.clock ??
    createClock({
      ...(o.clockSeed ? { seed: o.clockSeed } : {}),
      onImplausible(serverTimeMs) {
        metrics?.implausibleServerTime.inc();
        problems.report('clock:implausible', `the receiver reported an implausible time (${serverTimeMs}); the clock keeps its estimate`, { serverTimeMs });
      },
    });
  const spool = o.spool ?? createSpool({ ...o.buffer, logger });
  // The source id a WebSocket receiver assigned, once the transport exists and was told one.
  let assignedSourceId: () => string | undefined = () => undefined;
  const sourceIdNow = () => assignedSourceId() ?? o.sourceId;
  const deadLetter = createDeadLetter(
    deadLetterPathOf(o),
    logger,
    { sourceId: sourceIdNow, ...(o.deadLetterMaxBytes === undefined ? {} : { maxBytes: o.deadLetterMaxBytes }) },
  );
  const hub = createSinkEvents(logger);
  const codec: BatchCodec = { sourceId: o.sourceId, gzipLevel: o.gzip === false ? undefined : o.gzipLevel };
  const control = createDashboardControl({ now: clock.monotonicNow, session: o.session });
  const run = o.run ?? newBatchId(clock.monotonicNow());
  const startedAtMs = clock.monotonicNow();
  // Batches an earlier process left behind are all older than this start; flush() waits for them.
  const startedAtWallMs = clock.now();
  const backlogAtStart = spool.stats().batches > 0;
  let backlog = backlogAtStart;
  const outstanding = createOutstanding(() => {
    if (!backlog) return false;
    const oldest = spool.stats().oldestCreatedAtMs;
    backlog = oldest !== undefined && oldest < startedAtWallMs;
    return backlog;
  });
  if (backlog) logger.info({ points: spool.stats().points }, 'sending the backlog kept in the spool, oldest first');
  let accepting = true;

  const sinkMetrics = createSinkMetrics(registry, {
    spool: () => spool.stats(),
    clock,
    refused: () => delivery.refused(),
    backpressured: () => feed.blocked(),
    deadLetterDiscarded: () => deadLetter.discardedBytes(),
  });
  metrics = sinkMetrics;
  const episodes = dropEpisodes(hub, clock.monotonicNow);
  const drop = (reason: DropReason, count: number) => {
    sinkMetrics.dropped.inc({ reason }, count);
    episodes(reason, count);
  };
  // Created before the transport: a WebSocket transport connects at once and reports to it.
  const transportName = o.url === 'stdout' ? 'stdout' : /^wss?:/.test(o.url) ? 'ws' : 'http';
  const refusal = trackRefusal(connectionEvents(hub, transportName, clock.monotonicNow));
  const connection = refusal.observer;
  const health = createSpoolHealth({
    spool,
    logger,
    problems,
    backoff: o.retry,
    onRecovered: (points) => {
      if (points > 0) drop('spool_failed', points);
      // What was in the spool is gone: flush() must not wait for it.
      const held = new Set(feed.heldIds());
      outstanding.settleAllBut((id) => held.has(id));
      backlog = false;
      feed.retry();
      delivery.notify();
    },
  });
  const feed = createSpoolFeed({
    spool,
    health,
    clock,
    problems,
    whenFull: o.buffer?.whenFull ?? 'drop_oldest',
    maxBytes: o.buffer?.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
    maxAgeMs: o.buffer?.maxAgeMs,
    drop,
    onStored: () => delivery.notify(),
    onGone: (id) => outstanding.settle(id),
    onFull: () => hub.emit('spool_full', { whenFull: o.buffer?.whenFull ?? 'drop_oldest' }),
    writtenAhead: () => batcher.sealedAhead() + (batcher.pending() > 0 ? 1 : 0),
  });
  // Created last, once nothing else can throw: a WebSocket transport connects at once.
  let created: ReturnType<typeof createTransport>;
  try {
    created = o.transport ? { transport: o.transport, ws: undefined } : createTransport(o, { clock, logger, problems, registry, control, connection });
  } catch (err) {
    // A TLS file that cannot be read: let go of the spool, so a reload that refuses this sink can
    // open the running one again on the same file.
    if (!o.spool) spool.close();
    throw err;
  }
  const transport = created.transport;
  if (created.ws) assignedSourceId = () => created.ws?.sourceId();
  const provisional = (): boolean => transport.syncClock !== undefined && !clock.synced();
  const early = rememberEarlyStamps(clock, provisional);
  const delivery = createDelivery({
    spool, transport, deadLetter, logger, problems, clock, drop, connection, run, backlogAtStart, health, codec,
    earlyStamps: early,
    connectionRefused: refusal.refused,
    metrics: sinkMetrics,
    retry: o.retry,
    timeoutMs: o.timeoutMs,
    concurrency: o.concurrency,
    maxPointsPerSecond: o.maxPointsPerSecond,
    syncDeadlineMs: startedAtMs + o.firstSampleWaitMs,
    onBacklogDrained: (durationMs) => hub.emit('backlog_drained', { durationMs: Math.round(durationMs) }),
    onSettled: (id) => {
      outstanding.settle(id);
      feed.retry();
    },
    onReplaced: (parent, parts) => outstanding.replace(parent, parts),
  });

  const batcher = createBatcher({
    ...o.batch,
    codec,
    run,
    now: clock.now,
    onSeal(batch) {
      outstanding.add(batch.id);
      feed.feed(batch);
    },
    onSealError: (err) => logger.error({ err }, `a sealed batch could not be queued: ${(err as Error)?.message ?? String(err)}`),
    onUnencodable(points, reason) {
      deadLetter.write(points, reason);
      drop('invalid', points.length);
      problems.report('unencodable-point', `${points.length} point(s) could not be encoded when their batch sealed, refused and written to ${deadLetter.path}: ${reason}`, { points: points.length });
    },
  });
  const write = createIntake({
    clock, control, batcher, deadLetter, problems, drop,
    tags: o.tags,
    metrics: sinkMetrics,
    provisional,
    earlyStamp: early.has,
    earlyOffsetMs: early.offsetMs,
    accepting: () => accepting,
  });

  let closing: Promise<SinkCloseReport> | undefined;

  const sink: Sink = {
    get sourceId() {
      return sourceIdNow();
    },
    // What bridges stamp receipt times with: its early stamps are corrected like the sink's own.
    clock: early.clock,
    run,
    onServerTime(timestamp, provisional) {
      if (!(provisional ?? early.has(timestamp))) return timestamp;
      const offsetMs = early.offsetMs();
      return offsetMs === undefined ? timestamp : timestamp + offsetMs;
    },
    provisional: (timestamp) => early.has(timestamp) && early.offsetMs() === undefined,
    write,
    send(metric, value, extras) {
      write({ ...extras, metric, value });
    },
    async flush(flushOptions) {
      batcher.seal();
      const timeoutMs = flushOptions?.timeoutMs ?? 30_000;
      await batcher.settled();
      const unhurry = delivery.hurry();
      await outstanding
        .drained(timeoutMs)
        .catch((err: unknown) => {
          throw new FieldbridgeError('FLUSH_TIMEOUT', `flush: not everything was acknowledged within ${timeoutMs} ms; the data stays in the spool`, { cause: err });
        })
        .finally(unhurry);
    },
    async spooled() {
      batcher.seal();
      await batcher.settled();
    },
    close(closeOptions) {
      const keepSpool = closeOptions?.keepSpool === true && o.spool !== undefined;
      closing ??= shutdown(closeOptions?.timeoutMs ?? o.shutdownTimeoutMs, keepSpool, keepSpool || closeOptions?.handOver === true, closeOptions?.undeliveredHeldBy);
      return closing;
    },
    status: () => {
      const receiver = refusal.receiver();
      return {
        accepting,
        refused: delivery.refused(),
        backpressured: feed.blocked(),
        stalled: health.stalled(),
        spool: spool.stats(),
        receiver: receiver.state,
        ...(receiver.reason === undefined ? {} : { receiverReason: receiver.reason }),
      };
    },
    whenWritable: (signal) => feed.whenUnblocked(signal),
    setSession: (id) => control.setSession(id),
    onConfigure: (handler) => control.onConfigure(handler),
    on: (event, listener) => hub.on(event, listener),
    off: (event, listener) => hub.off(event, listener),
  };

  const refusals = () => ({ refused: deadLetter.refusedPoints(), deadLetterPath: deadLetter.path });

  async function shutdown(timeoutMs: number, keepSpool: boolean, handOver: boolean, heldBy: string | undefined): Promise<SinkCloseReport> {
    accepting = false;
    batcher.seal();
    batcher.stop();
    // Batches still being compressed are sealed data: they go to the spool before anything closes.
    await batcher.settled();
    feed.retry();
    // While the receiver refuses our key there is nothing to wait for: the data stays spooled.
    if (!delivery.refused()) {
      const unhurry = delivery.hurry();
      await outstanding.drained(Math.max(0, timeoutMs)).catch(() => undefined);
      unhurry();
    }
    await delivery.stop();
    await transport.shutdown();
    const unstored = feed.stop();
    if (unstored > 0) {
      drop('blocked', unstored);
      logger.error({ points: unstored }, `${unstored} points held while the spool was full could not be stored before exit`);
    }
    const left = spool.stats().points;
    const inMemory = spool.kind === 'memory';
    // A memory spool goes over only when kept open: closed, what it holds is gone.
    const handing = keepSpool || (handOver && !inMemory);
    if (left > 0 && handing) {
      const where = inMemory ? 'with the memory spool' : `on ${o.buffer?.path ?? 'the same spool'}`;
      logger.info({ points: left, ...(inMemory ? {} : { path: o.buffer?.path }) }, `${left} undelivered points handed over to the new sink ${where}, which sends them now`);
    }
    if (keepSpool) {
      // Handed over with what it holds: the next sink on it sends that.
      deadLetter.close();
      return { lost: unstored, kept: left, ...refusals() };
    }
    if (handing) {
      // The next sink opens the file and sends what it holds.
      spool.close();
      deadLetter.close();
      return { lost: unstored, kept: left, ...refusals() };
    }
    if (left > 0 && inMemory && heldBy !== undefined) {
      logger.info({ points: left }, `${left} undelivered points dropped with the memory spool; they are still in ${heldBy}`);
    } else if (left > 0 && inMemory) {
      logger.error({ points: left }, `${left} undelivered points are lost with the memory spool; set sink.buffer.path to keep them across restarts`);
    } else if (left > 0) {
      logger.warn({ points: left, path: o.buffer?.path }, `${left} undelivered points kept in the spool; the next run on ${o.buffer?.path ?? 'it'} sends them`);
    }
    spool.close();
    deadLetter.close();
    return { lost: unstored + (inMemory ? left : 0), kept: inMemory ? 0 : left, ...refusals() };
  }

  return sink;
}
