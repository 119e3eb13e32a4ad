import type { Point } from '../point/point.js';
import type { Batch } from '../shared/batch.js';
import { batchPoints, encodeBatch, type BatchCodec } from '../shared/batch-codec.js';

/**
 * The batch with its provisional timestamps moved onto server time: `offsetMs` (server minus
 * local, from the clock's first samples) added to each point the sink stamped before the clock
 * was synced, and to the early stamps in its event value (see {@link withValueStamps}). A new
 * batch with the same id, encoded again (this happens to the first batches of a run only).
 */
export function resolveUnsynced(batch: Batch, offsetMs: number, codec: BatchCodec, early: (stamp: number) => boolean): Batch {
  const points = batchPoints(batch).slice();
  for (const i of batch.unsynced?.indices ?? []) {
    const point = points[i];
    if (point !== undefined && typeof point.timestamp === 'number') points[i] = withValueStamps({ ...point, timestamp: point.timestamp + offsetMs }, offsetMs, early);
  }
  return encodeBatch({ id: batch.id, createdAtMs: batch.createdAtMs, points }, codec);
}

/**
 * `point` with `offsetMs` added to each top-level number of its object value that is an early
 * stamp of the sink's clock (an alert's `since` and `fired_at`, taken with the stamp of its
 * `timestamp`), so they stay the times the point's own timestamp is; the point itself when
 * there is none.
 */
export function withValueStamps<P extends Point>(point: P, offsetMs: number, early: (stamp: number) => boolean): P {
  const value = point.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return point;
  let moved: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'number' || !early(v)) continue;
    moved ??= { ...value };
    // defineProperty: a key named __proto__ stays a plain key.
    Object.defineProperty(moved, key, { value: v + offsetMs, enumerable: true, writable: true, configurable: true });
  }
  return moved ? { ...point, value: moved } : point;
}

/** The batch without its provisional marks (its stamps go as they are). */
export function withoutUnsynced(batch: Batch): Batch {
  const { unsynced: _, ...rest } = batch;
  return rest;
}

/** How many points of `batch` carry provisional timestamps. */
export function unsyncedCount(batch: Batch): number {
  return batch.unsynced?.indices.length ?? 0;
}
