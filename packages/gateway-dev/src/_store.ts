import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRecentBatchIds } from './_batch-ids.js';
import type { GatewayObserver } from './_observer.js';
import { formatPointLine } from './_print.js';
import type { NormalizedPoint } from './_validate-point.js';
import type { LiveVia } from './live-types.js';
import type { SignatureRefusal } from './_signature.js';
import type { GatewayStats, PointFilter, StoredPoint } from './types.js';

export interface StoreOptions {
  out: string | undefined;
  print: NodeJS.WritableStream | undefined;
  retainPoints: boolean;
  /** Most points kept for `query`; the oldest go first. */
  maxRetainedPoints: number;
  /** Most batch ids remembered to tell duplicates; the oldest are forgotten first. */
  maxBatchIds: number;
  /** Told of every stored batch. */
  observer: GatewayObserver;
}

export interface BatchReceipt {
  receivedAtMs: number;
  batchId: string | undefined;
  /** The transport it came by. */
  via: LiveVia;
}

/** Where every transport (HTTP ingest, Influx write, the WebSocket device side) stores points. */
export interface Store {
  /** Appends to the out file, prints, then keeps the points. Throws when the out file fails (nothing kept). */
  addBatch(points: readonly NormalizedPoint[], receipt: BatchReceipt): { count: number; duplicate: boolean };
  query(filter?: PointFilter): StoredPoint[];
  countRequest(): void;
  countBytes(bytes: number): void;
  countStatus(status: number | 'dropped'): void;
  /** A request or frame refused for its signature. */
  countSignatureRefusal(reason: SignatureRefusal): void;
  stats(): GatewayStats;
  reset(): void;
  close(): void;
}

function emptyStats(): GatewayStats {
  return { requests: 0, byStatus: {}, points: 0, batches: 0, duplicateBatches: 0, bytesIn: 0, bySource: {}, retained: 0, signatureRefusals: { missing: 0, malformed: 0, mismatch: 0, stale: 0 } };
}

/** Sources counted one by one in `bySource`; the rest share `_other`. */
const MAX_COUNTED_SOURCES = 10_000;

/** Opens the out file once (append mode), so a bad path fails at start rather than per request. */
export function createStore(options: StoreOptions): Store {
  let fd = options.out === undefined ? undefined : openOut(options.out);
  let stored: StoredPoint[] = [];
  const seenBatchIds = createRecentBatchIds(options.maxBatchIds);
  let counters = emptyStats();
  let bySource = new Map<string, number>();

  return {
    addBatch(points, { receivedAtMs, batchId, via }) {
      const duplicate = batchId !== undefined && seenBatchIds.seen(batchId);
      const receipt: Partial<StoredPoint> = { received_at_ms: receivedAtMs };
      if (batchId !== undefined) receipt.batch_id = batchId;
      if (duplicate) receipt.duplicate = true;
      // The points were parsed from this request: the receipt goes on them in place, no copy.
      const batch = points as StoredPoint[];
      for (const p of batch) Object.assign(p, receipt);
      if (fd !== undefined) {
        writeSync(fd, batch.map((p) => `${JSON.stringify(p)}\n`).join(''));
      }
      if (options.print !== undefined) {
        options.print.write(batch.map((p) => `${formatPointLine(p)}\n`).join(''));
      }
      if (options.retainPoints) {
        for (const p of batch) stored.push(p);
        // Let the oldest go in one step once a tenth over the bound: amortised O(1) a point.
        if (stored.length > options.maxRetainedPoints * 1.1) stored = stored.slice(stored.length - options.maxRetainedPoints);
      }
      for (const p of batch) {
        const key = bySource.has(p.source_id) || bySource.size < MAX_COUNTED_SOURCES ? p.source_id : '_other';
        bySource.set(key, (bySource.get(key) ?? 0) + 1);
      }
      counters.points += batch.length;
      counters.batches += 1;
      if (duplicate) counters.duplicateBatches += 1;
      options.observer.stored(batch, via);
      return { count: batch.length, duplicate };
    },
    query(filter) {
      const { metric, sourceId } = filter ?? {};
      return stored.filter(
        (p) => (metric === undefined || p.metric === metric) && (sourceId === undefined || p.source_id === sourceId),
      );
    },
    countRequest() {
      counters.requests += 1;
    },
    countBytes(bytes) {
      counters.bytesIn += bytes;
    },
    countSignatureRefusal(reason) {
      counters.signatureRefusals[reason] += 1;
    },
    countStatus(status) {
      const key = String(status);
      counters.byStatus[key] = (counters.byStatus[key] ?? 0) + 1;
    },
    stats() {
      return { ...counters, byStatus: { ...counters.byStatus }, signatureRefusals: { ...counters.signatureRefusals }, bySource: Object.fromEntries(bySource), retained: stored.length };
    },
    reset() {
      stored = [];
      seenBatchIds.clear();
      counters = emptyStats();
      bySource = new Map();
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** The out file opened for appending, its folder made first (`--out runs/today.ndjson` in a fresh checkout), as `fieldbridge init --out` does. */
function openOut(path: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    // mkdir's own words (EEXIST: file already exists, mkdir ...) hide that a file stands where a folder must.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new Error(`its folder ${dirname(path)} cannot be made: a file stands where a folder of that path must be`, { cause: err });
    throw err;
  }
  return openSync(path, 'a');
}
