import type { Batch, BatchEncoding, UnsyncedStamps } from '../shared/batch.js';
import { createBatchList } from './_batch-list.js';
import type { BatchNode } from './_batch-list.js';
import { createMinTracker } from '../shared/min-tracker.js';
import { createSlabStore, type SlabRef, type SlabStore } from './_slab-store.js';
import { assertReplaceParts, closedError } from './_spool-checks.js';
import { assertSpoolLimits, decideCapacity } from './capacity.js';
import type { CapacityCandidate } from './capacity.js';
import type { AppendResult, DroppedBatch, Spool, SpoolLimits, SpoolStats } from './spool.js';

/**
 * A spool held in process memory (`kind: 'memory'`): everything in it is lost when the
 * process exits or crashes, and on `close()`. A batch's encoded bytes are copied into shared
 * slabs and its other fields into one small record, so `maxBytes` bounds the memory it takes
 * (the data plus a fixed overhead each) and the JavaScript heap holds little per batch; `lease`
 * hands out batches whose data is a view of the slab. Every operation is O(1) per batch
 * touched, except `expire()`, which scans the content when some batch is old enough.
 *
 * Semantics shared with the disk spool: appending an id already held is a no-op that
 * answers `accepted: true`; `ack`, `release` and `replace` of an id not held are no-ops;
 * after `close()`, `ack` and `release` do nothing and the other mutating calls throw
 * `FieldbridgeError('SPOOL_UNUSABLE')`.
 *
 * @throws FieldbridgeError `OPTIONS_INVALID` when `limits` are invalid.
 */
export function createMemorySpool(limits: SpoolLimits): Spool {
  assertSpoolLimits(limits);
  const list = createBatchList<Held>();
  const slabs = createSlabStore();
  const ages = createMinTracker();
  let bytes = 0;
  let points = 0;
  let closed = false;

  const add = (batch: Batch, place: (held: Held) => BatchNode<Held>): BatchNode<Held> => {
    bytes += batch.bytes;
    points += batch.count;
    ages.add(batch.createdAtMs);
    return place(hold(batch, slabs));
  };
  const remove = (node: BatchNode<Held>): void => {
    list.remove(node);
    const held = node.held;
    bytes -= held.bytes;
    points -= held.count;
    ages.remove(held.createdAtMs);
    if (held.slab !== undefined) slabs.free(held as SlabRef);
  };
  const check = (): void => {
    if (closed) throw closedError('memory spool');
  };

  return {
    kind: 'memory',
    append(batch): AppendResult {
      check();
      if (list.get(batch.id) !== undefined) return { accepted: true, dropped: [] };
      const decision = decideCapacity(
        {
          bytes,
          batches: list.size,
          *unleasedOldestFirst(): Generator<CapacityCandidate> {
            for (const node of list.nodes()) if (!node.leased) yield node.held;
          },
        },
        limits,
        batch.bytes,
      );
      if (decision.action === 'refuse') return { accepted: false, dropped: [] };
      if (decision.action === 'drop_incoming') return { accepted: false, dropped: [{ id: batch.id, count: batch.count, reason: 'buffer_full' }] };
      const dropped: DroppedBatch[] = [];
      for (const victim of decision.evict) {
        const node = list.get(victim.id);
        if (node === undefined) continue;
        remove(node);
        dropped.push({ id: node.held.id, count: node.held.count, reason: 'buffer_full' });
      }
      add(batch, list.push);
      return { accepted: true, dropped };
    },
    lease(max) {
      check();
      const out: Batch[] = [];
      if (!(max >= 1)) return out;
      for (const node of list.nodes()) {
        if (node.leased) continue;
        node.leased = true;
        out.push(batchOf(node.held, slabs));
        if (out.length >= max) break;
      }
      return out;
    },
    release(id) {
      const node = list.get(id);
      if (node !== undefined) node.leased = false;
    },
    ack(id) {
      if (closed) return;
      const node = list.get(id);
      if (node !== undefined) remove(node);
    },
    replace(id, parts) {
      check();
      const node = list.get(id);
      if (node === undefined) return;
      assertReplaceParts(id, parts, (partId) => list.get(partId) !== undefined);
      // Unlink the parent first: a part may reuse its id.
      let at = node.prev;
      remove(node);
      for (const part of parts) at = add(part, (b) => list.insertAfter(at, b));
    },
    expire(nowMs) {
      check();
      if (limits.maxAgeMs === undefined) return [];
      const cutoff = nowMs - limits.maxAgeMs;
      const oldest = ages.min();
      if (oldest === undefined || oldest >= cutoff) return [];
      const dropped: DroppedBatch[] = [];
      for (const node of list.nodes()) {
        if (node.leased || node.held.createdAtMs >= cutoff) continue;
        remove(node);
        dropped.push({ id: node.held.id, count: node.held.count, reason: 'expired' });
      }
      return dropped;
    },
    stats(): SpoolStats {
      const oldest = ages.min();
      return oldest === undefined ? { batches: list.size, points, bytes } : { batches: list.size, points, bytes, oldestCreatedAtMs: oldest };
    },
    close() {
      if (closed) return;
      closed = true;
      list.clear();
      slabs.clear();
      ages.clear();
      bytes = 0;
      points = 0;
    },
  };
}

/**
 * A batch as the memory spool holds it: its fields, and where its bytes sit in a slab (the
 * piece's place is kept here, not in an object of its own), or a small JSON body as text.
 */
interface Held {
  readonly id: string;
  readonly count: number;
  readonly bytes: number;
  readonly createdAtMs: number;
  readonly encoding: BatchEncoding;
  readonly slab: SlabRef['slab'] | undefined;
  readonly offset: number;
  readonly length: number;
  readonly text: string | undefined;
  readonly rawBytes: number | undefined;
  readonly unsynced: UnsyncedStamps | undefined;
}

function hold(batch: Batch, slabs: SlabStore): Held {
  const text = typeof batch.data === 'string' ? batch.data : undefined;
  const piece = text === undefined ? slabs.put(batch.data as Buffer) : undefined;
  return {
    id: batch.id,
    count: batch.count,
    bytes: batch.bytes,
    createdAtMs: batch.createdAtMs,
    encoding: batch.encoding,
    slab: piece?.slab,
    offset: piece?.offset ?? 0,
    length: piece?.length ?? 0,
    text,
    rawBytes: batch.rawBytes,
    unsynced: batch.unsynced,
  };
}

function batchOf(held: Held, slabs: SlabStore): Batch {
  // Built field by field, not spread: spread copies made per lease were promoted to the old generation.
  const batch: { -readonly [K in keyof Batch]: Batch[K] } = {
    id: held.id,
    count: held.count,
    bytes: held.bytes,
    createdAtMs: held.createdAtMs,
    encoding: held.encoding,
    data: held.slab === undefined ? held.text! : slabs.view(held as SlabRef),
  };
  if (held.rawBytes !== undefined) batch.rawBytes = held.rawBytes;
  if (held.unsynced) batch.unsynced = held.unsynced;
  return batch;
}
