import { POINT_LIMITS, SOURCE_ID_PATTERN, type Point } from '@fieldbridge/core';

/** A line of a dead-letter file read as a record (`{ at, reason, source_id, point }`). */
export interface ReadRecord {
  /** When the sink gave the point up, epoch ms. */
  atMs: number;
  reason: string;
  /** The source the point was sent for. */
  sourceId: string;
  /** The point as recorded. */
  point: Record<string, unknown>;
}

/** A line read: a record, or why it is not one. */
export type LineReading = { record: ReadRecord; problem?: undefined } | { record?: undefined; problem: string };

/**
 * Reads one line of a dead-letter file (see core's `DeadLetterRecord`). Returns why it is not a
 * record when it is not JSON or lacks a field; what the point holds is not judged here.
 */
export function readRecordLine(text: string): LineReading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  if (!isObject(value)) return { problem: 'not a JSON object' };
  const { at, reason, source_id: sourceId, point } = value;
  const atMs = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  if (!Number.isFinite(atMs)) return { problem: '"at" is not an ISO 8601 time' };
  if (typeof reason !== 'string') return { problem: '"reason" is not a string' };
  if (typeof sourceId !== 'string' || sourceId.length > POINT_LIMITS.sourceIdMaxChars || !SOURCE_ID_PATTERN.test(sourceId)) {
    return { problem: `"source_id" is not a source id (${SOURCE_ID_PATTERN.source})` };
  }
  if (!isObject(point)) return { problem: '"point" is not an object' };
  return { record: { atMs, reason, sourceId, point } };
}

/**
 * The point to send again for `record`: as recorded, under the source it was sent for (its own
 * `source_id`, else the record's, which was the sink's then) and at its own time (when it had
 * none, the time it was given up, which is when it was written or sent). Returns why it cannot
 * be sent when the record does not hold all of it: cut to an excerpt (over 16 KiB), or holding a
 * value JSON could not carry (written as `{"$type", "$text"}`).
 */
export function pointToResend(record: ReadRecord): Point | string {
  const { point } = record;
  if (point.truncated === true) return `the point was recorded cut to an excerpt (${typeof point.bytes === 'number' ? `${point.bytes} bytes` : 'too large'}), so it cannot be sent again`;
  const marker = findMarker(point, 0);
  if (marker !== undefined) return `the point was recorded with a value JSON cannot carry (${marker}), so it cannot be sent again`;
  const resent = { ...point } as unknown as Point;
  if (point.source_id === undefined) resent.source_id = record.sourceId;
  if (point.timestamp === undefined) resent.timestamp = record.atMs;
  return resent;
}

/** Types core's dead-letter writer records in place of what JSON cannot carry. */
const MARKER_TYPES = new Set(['number', 'bigint', 'undefined', 'function', 'symbol', 'circular', 'object']);
/** Records are at most 33 levels deep (the writer notes anything deeper); this bounds the walk. */
const MAX_DEPTH = 40;

/** The `$type` of the first `{"$type", "$text"?}` marker in `value`, or undefined. */
function findMarker(value: unknown, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_DEPTH) return 'object';
  if (isMarker(value)) return `${value.$type}${typeof value.$text === 'string' ? ` ${value.$text}` : ''}`;
  for (const child of Object.values(value)) {
    const found = findMarker(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isMarker(value: object): value is { $type: string; $text?: unknown } {
  const keys = Object.keys(value);
  const { $type: type } = value as { $type?: unknown };
  return typeof type === 'string' && MARKER_TYPES.has(type) && keys.every((k) => k === '$type' || k === '$text');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
