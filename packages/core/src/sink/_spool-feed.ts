import { formatSize } from '../config/units.js';
import type { Clock } from '../clock/clock.js';
import type { Batch } from '../shared/batch.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { AppendResult, Spool, WhenFull } from '../spool/spool.js';
import { createWakeup } from '../shared/wait.js';
import type { DropReason } from './sink-metrics.js';
import type { SpoolHealth } from './_spool-health.js';

/**
 * Sealed batches held in memory while the spool is full under `when_full: block`, beyond those
 * written before the sink said so (see {@link createSpoolFeed}).
 */
const MAX_BLOCKED_BATCHES = 8;

/** Options of {@link createSpoolFeed}. */
export interface SpoolFeedOptions {
  spool: Spool;
  clock: Clock;
  problems: ProblemReporter;
  whenFull: WhenFull;
  /** The spool's size (`buffer.max_bytes`), for what a full one says. */
  maxBytes: number;
  /** Drop spooled batches older than this, in ms (`buffer.max_age`); undefined keeps them. */
  maxAgeMs: number | undefined;
  drop(reason: DropReason, count: number): void;
  /** A batch is in the spool: wake the delivery loop. */
  onStored(): void;
  /** A batch left for good without delivery (dropped by policy). */
  onGone(id: string): void;
  /** The spool turned full (the first refusal or eviction after it had room). */
  onFull(): void;
  /** How the spool is doing: a store that fails is reported there, and a full disk holds batches back. */
  health: SpoolHealth;
  /**
   * Batches whose points are already written and that come here after the one being fed: those
   * sealed and still being compressed, and the open batch if it holds points.
   */
  writtenAhead: () => number;
}

/** Moves sealed batches into the spool, applying `when_full` and `max_age`. */
export interface SpoolFeed {
  /** Stores a sealed batch, or holds it (block), or drops it (policy). */
  feed(batch: Batch): void;
  /** True while batches are held because the spool is full under `when_full: block`. */
  blocked(): boolean;
  /** Offers the held batches again (room may have freed up). */
  retry(): void;
  /** Resolves once nothing is held (at once when nothing is), or when `signal` aborts. */
  whenUnblocked(signal?: AbortSignal): Promise<void>;
  /** Ids of the batches held in memory, not yet in the spool. */
  heldIds(): string[];
  /** Stops the timers; returns how many points were still held (and are now lost). */
  stop(): number;
}

/**
 * Creates the {@link SpoolFeed}. A spool that fails to store (disk full, read-only) never makes
 * `write()` throw: the batch is held like a blocked one and offered again.
 *
 * Writers learn of a full spool from `blocked()`, which turns true when the first batch is held.
 * The batches written before that moment (still being compressed, a burst's worth, and the open
 * batch, sealed later by its linger) were written by writers that could not know: each is held
 * however many there are, and only what comes after, from a writer that ignores `blocked()`, is
 * dropped past {@link MAX_BLOCKED_BATCHES}.
 * (Dropping them lost up to a spool's worth of a waiting MQTT bridge's messages, already
 * acknowledged, every time a long outage ended.)
 */
export function createSpoolFeed(o: SpoolFeedOptions): SpoolFeed {
  const held: Batch[] = [];
  let full = false;
  let lastOutcome: 'stored' | 'refused' | 'error' = 'stored';
  /** Batches still to come that were written before the feed began to hold: held, never dropped. */
  let sealedBeforeHold = 0;
  const unblocked = createWakeup();
  let retryTimer: NodeJS.Timeout | undefined;

  /** `stored` (or dropped by policy: gone either way), `refused` (full under block), `error` (the spool failed). */
  const append = (batch: Batch): 'stored' | 'refused' | 'error' => {
    // On a full disk the space an operator frees goes to acknowledgements first, while there
    // are any to make.
    if (o.health.diskFull() && o.spool.stats().batches > 0) return 'error';
    let result: AppendResult;
    try {
      result = o.spool.append(batch);
    } catch (err) {
      o.health.failed(err, 'store');
      return 'error';
    }
    o.health.stored();
    const overflow = !result.accepted || result.dropped.some((d) => d.reason === 'buffer_full');
    if (overflow && !full) o.onFull();
    if (!overflow && full) o.problems.resolve('spool:buffer_full', 'spool has room again; no longer dropping data (when_full)');
    full = overflow;
    for (const dropped of result.dropped) {
      o.drop(dropped.reason, dropped.count);
      o.problems.report(`spool:${dropped.reason}`, droppedMessage(dropped.reason, o), { reason: dropped.reason });
      o.onGone(dropped.id);
    }
    if (result.accepted) o.onStored();
    return result.accepted || result.dropped.some((d) => d.id === batch.id) ? 'stored' : 'refused';
  };

  const retry = (): void => {
    while (held.length > 0 && (lastOutcome = append(held[0]!)) === 'stored') held.shift();
    if (held.length === 0) {
      o.problems.resolve('spool:block-dropped', 'spool has room again; no longer dropping data (when_full: block)');
      o.problems.resolve('spool:block', 'spool has room again; accepting data');
      unblocked.wake();
    } else if (!retryTimer) {
      // Room usually frees up on an acknowledgement; the timer covers a spool that failed.
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        retry();
      }, 1000).unref();
    }
  };

  const expiry =
    o.maxAgeMs === undefined
      ? undefined
      : setInterval(() => {
          for (const dropped of o.spool.expire(o.clock.now())) {
            o.drop('expired', dropped.count);
            o.problems.report('spool:expired', 'dropping spooled data older than buffer.max_age');
            o.onGone(dropped.id);
          }
        }, Math.min(60_000, Math.max(1000, o.maxAgeMs / 10))).unref();

  return {
    feed(batch) {
      // Room may have come back since the last try: the held batches go first, and a batch that
      // comes while they still fail is dropped only if the spool still cannot take them.
      if (held.length > 0) retry();
      const writtenUnwarned = sealedBeforeHold > 0;
      if (writtenUnwarned) sealedBeforeHold -= 1;
      const outcome = held.length === 0 ? (lastOutcome = append(batch)) : lastOutcome;
      if (outcome === 'stored') return;
      if (held.length >= MAX_BLOCKED_BATCHES && !writtenUnwarned) {
        const reason = outcome === 'error' ? 'spool_failed' : 'blocked';
        o.drop(reason, batch.count);
        if (reason === 'blocked') o.problems.report('spool:block-dropped', 'spool full (when_full: block) and data kept coming from a writer that does not wait: dropping it until the spool drains', { reason });
        o.onGone(batch.id);
        return;
      }
      if (held.length === 0) sealedBeforeHold = o.writtenAhead();
      held.push(batch);
      if (outcome === 'refused') o.problems.report('spool:block', `spool full (when_full: ${o.whenFull}): bridges hold back until it drains`);
      retry();
    },
    blocked: () => held.length > 0,
    retry,
    heldIds: () => held.map((b) => b.id),
    async whenUnblocked(signal) {
      while (held.length > 0 && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal?.removeEventListener('abort', done);
            resolve();
          };
          signal?.addEventListener('abort', done, { once: true });
          void unblocked.wait().then(done);
        });
      }
    },
    stop() {
      if (expiry) clearInterval(expiry);
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      retry();
      const lost = held.reduce((n, b) => n + b.count, 0);
      held.length = 0;
      unblocked.wake();
      return lost;
    },
  };
}

/** What a drop by policy says: the setting in effect, and the one to change. */
function droppedMessage(reason: string, o: Pick<SpoolFeedOptions, 'whenFull' | 'maxBytes'>): string {
  if (reason === 'expired') return 'dropping spooled data older than buffer.max_age';
  const what = o.whenFull === 'drop_oldest' ? 'the oldest undelivered data to make room for new' : 'new data while it is full';
  return `spool full (buffer.max_bytes ${formatSize(o.maxBytes)}): dropping ${what} (when_full: ${o.whenFull}); raise buffer.max_bytes to hold a longer outage, or set when_full: block to make the bridges wait (a poll is skipped, MQTT holds its acknowledgements)`;
}
