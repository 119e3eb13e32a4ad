import type { Batch } from '../shared/batch.js';
import { batchPoints, encodeBatch, type BatchCodec } from '../shared/batch-codec.js';

/**
 * The batch with its provisional timestamps moved onto server time: `offsetMs` (server minus
 * local, from the clock's first samples) added to each point the sink stamped before the clock
 * was synced. A new batch with the same id, encoded again (this happens to the first batches of
 * a run only).
 */
export function resolveUnsynced(batch: Batch, offsetMs: number, codec: BatchCodec): Batch {
  const points = batchPoints(batch).slice();
  for (const i of batch.unsynced?.indices ?? []) {
    const point = points[i];
    if (point !== undefined && typeof point.timestamp === 'number') points[i] = { ...point, timestamp: point.timestamp + offsetMs };
  }
  return encodeBatch({ id: batch.id, createdAtMs: batch.createdAtMs, points }, codec);
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
