import type { Batch } from '../shared/batch.js';
import { createBatchList } from './_batch-list.js';
import type { BatchNode } from './_batch-list.js';
import { createMinTracker } from './_min-tracker.js';
import { assertReplaceParts, closedError } from './_spool-checks.js';
import { assertSpoolLimits, decideCapacity } from './capacity.js';
import type { CapacityCandidate } from './capacity.js';
import type { AppendResult, DroppedBatch, Spool, SpoolLimits, SpoolStats } from './spool.js';

/**
 * A spool held in process memory (`kind: 'memory'`): everything in it is lost when the
 * process exits or crashes, and on `close()`. Batches are kept as given (not copied): their
 * encoded data, so `maxBytes` bounds the memory it takes (the data plus a fixed overhead each). Every operation is O(1) per batch
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
  const list = createBatchList();
  const ages = createMinTracker();
  let bytes = 0;
  let points = 0;
  let closed = false;

  const add = (batch: Batch, place: (batch: Batch) => BatchNode): BatchNode => {
    bytes += batch.bytes;
    points += batch.count;
    ages.add(batch.createdAtMs);
    return place(batch);
  };
  const remove = (node: BatchNode): void => {
    list.remove(node);
    bytes -= node.batch.bytes;
    points -= node.batch.count;
    ages.remove(node.batch.createdAtMs);
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
            for (const node of list.nodes()) if (!node.leased) yield node.batch;
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
        dropped.push({ id: node.batch.id, count: node.batch.count, reason: 'buffer_full' });
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
        out.push(node.batch);
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
        if (node.leased || node.batch.createdAtMs >= cutoff) continue;
        remove(node);
        dropped.push({ id: node.batch.id, count: node.batch.count, reason: 'expired' });
      }
      return dropped;
    },
    stats(): SpoolStats {
      return { batches: list.size, points, bytes, oldestCreatedAtMs: ages.min() };
    },
    close() {
      if (closed) return;
      closed = true;
      list.clear();
      ages.clear();
      bytes = 0;
      points = 0;
    },
  };
}
