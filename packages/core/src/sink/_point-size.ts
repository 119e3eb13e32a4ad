import type { Point } from '../point/point.js';

/** JSON punctuation and keys of a point: {"metric":"","value":,"timestamp":,"class":"metric"}, plus a comma. */
const FRAME_BYTES = 60;

/**
 * The size a point's JSON will have, estimated without encoding it (the batcher only needs to
 * know when a batch is nearly full): characters of its strings, a fixed width for numbers. Text
 * with many escapes can come out larger; the batcher checks the real size once, when it seals.
 */
export function estimatePointBytes(point: Point): number {
  let n = FRAME_BYTES + point.metric.length + valueBytes(point.value);
  if (point.source_id !== undefined) n += point.source_id.length + 16;
  if (point.session_id !== undefined) n += point.session_id.length + 17;
  const tags = point.tags;
  if (tags !== undefined) {
    for (const key in tags) n += key.length + (tags[key]?.length ?? 0) + 6;
  }
  return n;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'number') return 24;
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'boolean') return 5;
  // Events with JSON values are rare on the hot path: measure them.
  try {
    return JSON.stringify(value)?.length ?? 4;
  } catch {
    // Not encodable: the batch finds out when it seals, and leaves this point out.
    return 4;
  }
}
