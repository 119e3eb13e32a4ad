import type { Batch } from '../shared/batch.js';

/**
 * The batch with its provisional timestamps moved onto server time: `offsetMs` (server minus
 * local, from the clock's first samples) added to each point the sink stamped before the clock
 * was synced. A new batch with the same id; the encoded JSON is not carried over.
 */
export function resolveUnsynced(batch: Batch, offsetMs: number): Batch {
  const points = batch.points.slice();
  for (const i of batch.unsynced?.indices ?? []) {
    const point = points[i];
    if (point !== undefined && typeof point.timestamp === 'number') points[i] = { ...point, timestamp: point.timestamp + offsetMs };
  }
  return { id: batch.id, points, bytes: batch.bytes, createdAtMs: batch.createdAtMs };
}

/** How many points of `batch` carry provisional timestamps. */
export function unsyncedCount(batch: Batch): number {
  return batch.unsynced?.indices.length ?? 0;
}
