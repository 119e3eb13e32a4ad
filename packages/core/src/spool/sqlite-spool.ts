import { statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { isFieldbridgeError, FieldbridgeError } from '../errors.js';
import type { Batch, BatchEncoding, UnsyncedStamps } from '../shared/batch.js';
import { moveAside } from './_sqlite-aside.js';
import { openSpoolDatabase } from './_sqlite-open.js';
import { prepareStatements } from './_sqlite-statements.js';
import type { BatchMeta, BatchRow } from './_sqlite-statements.js';
import { partSub } from './_sqlite-schema.js';
import { assertReplaceParts, closedError } from './_spool-checks.js';
import { createUnwrittenAcks } from './_unwritten-acks.js';
import { assertSpoolLimits, decideCapacity } from './capacity.js';
import type { CapacityCandidate } from './capacity.js';
import type { AppendResult, DroppedBatch, Spool, SpoolLimits, SpoolStats } from './spool.js';

/** Bytes of freshly appended batches kept in memory, so leasing them needs no read (minutes of data at a plant's rate). */
const TAIL_CACHE_BYTES = 2 * 1024 * 1024;

/** Options of {@link createSqliteSpool}. */
export interface SqliteSpoolOptions {
  /** Directory of the spool; created with mode 0700 if missing. The file is `<dir>/spool.sqlite` (mode 0600). */
  dir: string;
  limits: SpoolLimits;
  /**
   * `process` (default): a batch is durable once `append` returns, against a crash or kill of
   * the process (SQLite `synchronous=NORMAL` in WAL mode); the last appends before a power cut
   * or OS crash may be lost. `power`: each append is synced to the disk (`synchronous=FULL`),
   * several times slower.
   */
  durability?: 'process' | 'power';
  /** Where problems are logged (an unusable file moved aside). Default: a pino logger on stderr. */
  logger?: Logger;
}

/**
 * A spool in one SQLite file (`kind: 'disk'`), in WAL mode, batches as rows. Content survives
 * restarts and crashes (see `durability`); leases live in memory, so after a restart every
 * stored batch is unleased again and will be sent again (at-least-once). Totals are kept in
 * memory, so `stats()` does not touch the disk. better-sqlite3 is loaded only when this runs.
 *
 * The file is locked for the life of the spool: a second spool on the same directory, in this
 * process or another, throws `FieldbridgeError('SPOOL_LOCKED')`. The kernel drops the lock when
 * the process dies. An unreadable or foreign file is moved aside to
 * `spool.sqlite.unusable-<time>`, logged as an error, and replaced by an empty spool.
 *
 * Call semantics are those of the memory spool (duplicate append is a no-op, unknown ids are
 * ignored). A failing disk write throws `FieldbridgeError('SPOOL_UNUSABLE')` (`SPOOL_FULL` when
 * the disk is full) and changes nothing: the appended batch is not stored and stays the caller's.
 * An acknowledgement never waits for the disk: one the full disk has no room for is kept in
 * memory (the batch is gone from the spool's content and counts) and written with the next write
 * that finds room; a crash before that sends those batches again.
 *
 * @throws FieldbridgeError `SPOOL_LOCKED`, `SPOOL_UNUSABLE`, or `OPTIONS_INVALID` (bad limits).
 */
export function createSqliteSpool(options: SqliteSpoolOptions): Spool {
  const { limits } = options;
  assertSpoolLimits(limits);
  let fallbackLogger: Logger | undefined;
  const logger = (): Logger => {
    if (options.logger !== undefined) return options.logger;
    if (fallbackLogger === undefined) {
      // Logs go to stderr: stdout carries data (the stdout sink, --dry-run).
      const pino = createRequire(import.meta.url)('pino') as typeof import('pino');
      fallbackLogger = pino({ name: 'fieldbridge-spool' }, pino.destination({ fd: 2, sync: true }));
    }
    return fallbackLogger;
  };
  const open = () => {
    const opened = openSpoolDatabase({ dir: options.dir, durability: options.durability ?? 'process', logger }, (db) => prepareStatements(db));
    const { db } = opened;
    const q = opened.loaded.statements;
    // all(), not get(): the statement must run to its end, where an autocommit's failure (a full
    // disk) surfaces; get() stops at the returned row, and a commit that failed went unnoticed.
    const take = (id: string): BatchMeta | undefined => (q.takeById.all(id) as BatchMeta[])[0];
    const removeRows = db.transaction((ids: readonly string[]): BatchMeta[] => {
      const rows: BatchMeta[] = [];
      for (const id of ids) {
        const row = take(id);
        if (row !== undefined) rows.push(row);
      }
      return rows;
    });
    return {
      db,
      file: opened.file,
      q,
      t: { ...opened.loaded.totals, oldestStale: false },
      removeRows,
      // One statement each, in SQLite's own transaction: the common append and acknowledgement
      // pay no BEGIN/COMMIT round of their own (an eviction still goes with its append, atomically).
      take,
      /** Inserts unless the id is held; false when it was. */
      insertNew: (row: BatchRow): boolean => q.insertNew.run(row).changes > 0,
      appendTx: db.transaction((evict: readonly string[], row: BatchRow): BatchMeta[] => {
        const evicted = removeRows(evict);
        q.insert.run(row);
        return evicted;
      }),
      replaceTx: db.transaction((id: string, rows: readonly BatchRow[]) => {
        q.deleteById.run(id);
        for (const row of rows) q.insert.run(row);
      }),
    };
  };
  let s = open();
  warnWhenDiskTooSmall(options.dir, limits.maxBytes, logger);
  const leased = new Set<string>();
  // Acknowledged while the disk was full.
  const unwritten = createUnwrittenAcks(() => s, isDiskFull);
  const skipped = (id: string): boolean => leased.has(id) || unwritten.has(id);
  // The batches appended last, as appended: live data is leased moments after it is stored, and
  // reading it back from the file would only cost time. Bounded by bytes; a restart starts empty.
  const tail = new Map<string, Batch>();
  let tailBytes = 0;
  const remember = (batch: Batch): void => {
    tail.set(batch.id, batch);
    tailBytes += batch.bytes;
    while (tailBytes > TAIL_CACHE_BYTES && tail.size > 0) forget(tail.keys().next().value as string);
  };
  const forget = (id: string): void => {
    const batch = tail.get(id);
    if (batch === undefined) return;
    tail.delete(id);
    tailBytes -= batch.bytes;
  };
  let closed = false;

  const guard = <R>(op: string, fn: () => R): R => {
    if (closed) throw closedError(`spool ${s.file}`);
    try {
      return fn();
    } catch (err) {
      if (isFieldbridgeError(err)) throw err;
      const full = isDiskFull(err);
      throw new FieldbridgeError(full ? 'SPOOL_FULL' : 'SPOOL_UNUSABLE', `spool ${s.file}: ${op} failed: ${(err as Error).message}${full ? ' (the disk is full)' : ''}; nothing was changed`, { cause: err });
    }
  };
  const counted = (row: { created_at_ms: number; bytes: number; points: number }, sign: 1 | -1): void => {
    const { t } = s;
    t.batches += sign;
    t.bytes += sign * row.bytes;
    t.points += sign * row.points;
    if (sign === 1 && !t.oldestStale) t.oldest = t.oldest === undefined ? row.created_at_ms : Math.min(t.oldest, row.created_at_ms);
    if (sign === -1 && row.created_at_ms === t.oldest) t.oldestStale = true;
  };
  const toBatch = (row: BatchRow): Batch => {
    const batch: Batch = {
      id: row.id,
      count: row.points,
      bytes: row.bytes,
      createdAtMs: row.created_at_ms,
      encoding: row.encoding as BatchEncoding,
      data: row.payload,
      ...(row.raw_bytes === null ? {} : { rawBytes: row.raw_bytes }),
    };
    if (row.unsynced !== null) batch.unsynced = JSON.parse(row.unsynced) as UnsyncedStamps;
    return batch;
  };
  const rowOf = (batch: Batch, seq: number, sub: Buffer): BatchRow => ({
    seq,
    sub,
    id: batch.id,
    created_at_ms: batch.createdAtMs,
    points: batch.count,
    bytes: batch.bytes,
    payload: batch.data,
    unsynced: batch.unsynced === undefined ? null : JSON.stringify(batch.unsynced),
    encoding: batch.encoding,
    raw_bytes: batch.rawBytes ?? null,
  });
  const dropOf = (row: BatchMeta, reason: DroppedBatch['reason']): DroppedBatch => ({ id: row.id, count: row.points, reason });
  function* unleased(): Generator<CapacityCandidate> {
    for (const row of s.q.orderedSizes.iterate() as IterableIterator<CapacityCandidate>) {
      if (!skipped(row.id)) yield row;
    }
  }

  const currentStats = (): SpoolStats => {
    const { t } = s;
    if (t.oldestStale && !closed) {
      t.oldest = unwritten.size > 0 ? unwritten.oldest() : ((s.q.oldest.get() as { m: number | null }).m ?? undefined);
      t.oldestStale = false;
    }
    const stats: SpoolStats = { batches: t.batches, points: t.points, bytes: t.bytes };
    if (t.batches > 0 && t.oldest !== undefined) stats.oldestCreatedAtMs = t.oldest;
    return stats;
  };

  return {
    kind: 'disk',
    append(batch): AppendResult {
      return guard('append', () => {
        // Room the disk has again goes to the acknowledgements it had none for first.
        unwritten.write();
        const decision = decideCapacity({ bytes: s.t.bytes, batches: s.t.batches, unleasedOldestFirst: unleased }, limits, batch.bytes);
        const row = rowOf(batch, s.t.lastSeq + 1, Buffer.alloc(0));
        const roomy = decision.action === 'store' && decision.evict.length === 0;
        // A batch already held is a no-op. With room to spare, one statement checks and stores.
        if (roomy ? !s.insertNew(row) : s.q.has.get(batch.id) !== undefined) return { accepted: true, dropped: [] };
        if (decision.action === 'refuse') return { accepted: false, dropped: [] };
        if (decision.action === 'drop_incoming') return { accepted: false, dropped: [{ id: batch.id, count: batch.count, reason: 'buffer_full' }] };
        const evicted = roomy ? [] : s.appendTx(decision.evict.map((c) => c.id), row);
        s.t.lastSeq += 1;
        remember(batch);
        for (const old of evicted) {
          counted(old, -1);
          forget(old.id);
        }
        counted(row, 1);
        return { accepted: true, dropped: evicted.map((old) => dropOf(old, 'buffer_full')) };
      });
    },
    lease(max) {
      return guard('lease', () => {
        const ids: string[] = [];
        if (max >= 1 && unwritten.size === 0) {
          for (const { id } of s.q.orderedIds.iterate() as IterableIterator<{ id: string }>) {
            if (leased.has(id)) continue;
            ids.push(id);
            if (ids.length >= max) break;
          }
        } else if (max >= 1) {
          for (const { id } of unwritten.onward()) {
            if (skipped(id)) continue;
            ids.push(id);
            if (ids.length >= max) break;
          }
        }
        const out = ids.map((id) => tail.get(id) ?? toBatch(s.q.byId.get(id) as BatchRow));
        for (const id of ids) leased.add(id);
        return out;
      });
    },
    release(id) {
      leased.delete(id);
    },
    ack(id) {
      if (closed) return;
      guard('ack', () => {
        if (unwritten.has(id)) return;
        let row: BatchMeta | undefined;
        try {
          row = s.take(id);
        } catch (err) {
          if (!isDiskFull(err)) throw err;
          // Delivered is delivered: a full disk (where every commit, a delete's too, needs room in
          // the WAL) must not hold delivery up. Kept in memory, written when the disk has room.
          row = s.q.metaById.get(id) as BatchMeta | undefined;
          if (row !== undefined) unwritten.add(id);
        }
        leased.delete(id);
        forget(id);
        if (row === undefined) return;
        counted(row, -1);
        if (!unwritten.has(id)) unwritten.write();
      });
    },
    replace(id, parts) {
      guard('replace', () => {
        if (unwritten.has(id)) return;
        const parent = s.q.replaceKey.get(id) as Pick<BatchRow, 'seq' | 'sub' | 'points' | 'bytes' | 'created_at_ms'> | undefined;
        if (parent === undefined) return;
        assertReplaceParts(id, parts, (partId) => s.q.has.get(partId) !== undefined);
        const rows = parts.map((part, i) => rowOf(part, parent.seq, partSub(parent.sub, i)));
        s.replaceTx(id, rows);
        leased.delete(id);
        forget(id);
        counted(parent, -1);
        for (const row of rows) counted(row, 1);
      });
    },
    expire(nowMs) {
      return guard('expire', () => {
        if (limits.maxAgeMs === undefined) return [];
        const cutoff = nowMs - limits.maxAgeMs;
        const oldest = currentStats().oldestCreatedAtMs;
        if (oldest === undefined || oldest >= cutoff) return [];
        const candidates = s.q.olderThan.all(cutoff) as { id: string }[];
        const rows = s.removeRows(candidates.map((c) => c.id).filter((cid) => !skipped(cid)));
        for (const row of rows) {
          counted(row, -1);
          forget(row.id);
        }
        return rows.map((row) => dropOf(row, 'expired'));
      });
    },
    stats: () => currentStats(),
    recover(reason) {
      if (closed) throw closedError(`spool ${s.file}`);
      const lost = currentStats();
      // Moved aside while still open, as at start: closing first would let SQLite drop its -wal.
      try {
        moveAside(s.file, reason, undefined, logger());
      } finally {
        if (s.db.open) s.db.close();
      }
      leased.clear();
      unwritten.clear();
      tail.clear();
      tailBytes = 0;
      s = open();
      return lost;
    },
    unwrittenAcks: () => unwritten.size,
    close() {
      if (closed) return;
      closed = true;
      leased.clear();
      tail.clear();
      try {
        if (!unwritten.write()) logger().warn({ path: s.file, batches: unwritten.size }, `${unwritten.size} delivered batches stay in spool ${s.file} (the disk is full) and are sent again at the next start`);
      } catch (err) {
        logger().warn({ err, path: s.file, batches: unwritten.size }, `${unwritten.size} delivered batches could not be removed from spool ${s.file} and are sent again at the next start`);
      }
      try {
        s.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        logger().warn({ err, path: s.file }, 'spool: WAL checkpoint on close failed; SQLite replays the WAL at next open');
      }
      s.db.close();
    },
  };
}

/** SQLite's or the system's word for a disk with no room left. */
const isDiskFull = (err: unknown): boolean => (err as { code?: unknown }).code === 'SQLITE_FULL' || (err as NodeJS.ErrnoException).code === 'ENOSPC';

/**
 * Warns once at start when the spool's cap is more than the disk has free: the disk would fill
 * before `when_full` applies, and a disk the spool filled itself has no room left even to delete.
 */
function warnWhenDiskTooSmall(dir: string, maxBytes: number, logger: () => Logger): void {
  try {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    if (free < maxBytes) {
      logger().warn(
        { dir, freeBytes: free, maxBytes },
        `the disk under spool ${dir} has ${Math.round(free / 1024 / 1024)} MiB free, less than buffer.max_bytes (${Math.round(maxBytes / 1024 / 1024)} MiB): lower max_bytes so when_full applies before the disk fills`,
      );
    }
  } catch {
    // statfs is not available everywhere; the warning is a courtesy.
  }
}
