import type { StoredPoint } from './types.js';

/** A valid point before receipt details are added. */
export type NormalizedPoint = Omit<StoredPoint, 'received_at_ms' | 'batch_id' | 'duplicate'>;

export interface PointLimits {
  maxEventBytes: number;
  maxPoints: number;
}

export type BodyCheck =
  | { ok: true; points: NormalizedPoint[] }
  | { ok: false; status: 400 | 413; error: string };

const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_CHARS = 256;
const MAX_TAGS = 16;
/** Below this a timestamp is read as seconds, as the real gateway does. */
const SECONDS_BELOW = 1e12;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the problem with a source id, or undefined when it is valid. */
export function sourceIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_CHARS) return `must be at most ${MAX_CHARS} characters`;
  if (!SOURCE_ID_PATTERN.test(value)) return `must match ${SOURCE_ID_PATTERN.source}`;
  return undefined;
}

function tagsProblem(tags: unknown): string | undefined {
  if (!isRecord(tags)) return ' must be an object of string values';
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) return ` has ${entries.length} entries, over the limit of ${MAX_TAGS}`;
  for (const [key, value] of entries) {
    if (key.length > MAX_CHARS) return ` key "${key.slice(0, 32)}..." is over ${MAX_CHARS} characters`;
    if (typeof value !== 'string') return `.${key} must be a string`;
    if (value.length > MAX_CHARS) return `.${key} must be at most ${MAX_CHARS} characters`;
  }
  return undefined;
}

/**
 * Checks one point against the real gateway's rules; the problem text starts with the field
 * name after `points[i]` (e.g. `.value must be a finite number for class metric`).
 */
function pointProblem(raw: Record<string, unknown>, bodySourceId: string | undefined, limits: PointLimits): string | undefined {
  const { metric, value, timestamp, tags } = raw;
  if (typeof metric !== 'string') return metric === undefined ? '.metric is required' : '.metric must be a string';
  if (metric.length < 1 || metric.length > MAX_CHARS) return `.metric must be 1..${MAX_CHARS} characters`;
  if (value === undefined) return '.value is required';
  if (value === null) return '.value must not be null';
  if (raw.class !== undefined && raw.class !== 'metric' && raw.class !== 'event') {
    return '.class must be "metric" or "event"';
  }
  const cls = raw.class ?? (typeof value === 'number' ? 'metric' : 'event');
  if (cls === 'metric' && (typeof value !== 'number' || !Number.isFinite(value))) {
    return '.value must be a finite number for class metric';
  }
  if (cls === 'event') {
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > limits.maxEventBytes) {
      return `.value is ${bytes} bytes of JSON, over the event limit of ${limits.maxEventBytes}`;
    }
  }
  if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isFinite(timestamp))) {
    return '.timestamp must be a finite number (ms since the epoch)';
  }
  if (raw.source_id !== undefined) {
    const problem = sourceIdProblem(raw.source_id);
    if (problem !== undefined) return `.source_id ${problem}`;
  } else if (bodySourceId === undefined) {
    return '.source_id is required (set it on the point or in the body)';
  }
  if (tags !== undefined) {
    const problem = tagsProblem(tags);
    if (problem !== undefined) return `.tags${problem}`;
  }
  if (raw.session_id !== undefined && typeof raw.session_id !== 'string') return '.session_id must be a string';
  return undefined;
}

/** Completes a parsed point in place: it was parsed from this request's body, so it is ours (no copy per point). */
function normalize(raw: Record<string, unknown>, bodySourceId: string | undefined, readSeconds: boolean): NormalizedPoint {
  if (raw.source_id === undefined) raw.source_id = bodySourceId;
  const point = raw as unknown as NormalizedPoint;
  if (readSeconds && typeof point.timestamp === 'number' && point.timestamp < SECONDS_BELOW) point.timestamp *= 1000;
  return point;
}

/**
 * Validates points that share one body-level source id. The first bad point rejects them all
 * with `points[i]...` so the client can isolate it. `readSeconds` multiplies timestamps below
 * 1e12 by 1000 (Plexus JSON); off for sources whose timestamps are already ms.
 */
export function validatePoints(
  points: readonly unknown[],
  bodySourceId: string | undefined,
  limits: PointLimits,
  readSeconds = true,
): BodyCheck {
  const out: NormalizedPoint[] = [];
  for (const [i, raw] of points.entries()) {
    if (!isRecord(raw)) return { ok: false, status: 400, error: `points[${i}] must be an object` };
    const problem = pointProblem(raw, bodySourceId, limits);
    if (problem !== undefined) return { ok: false, status: 400, error: `points[${i}]${problem}` };
    out.push(normalize(raw, bodySourceId, readSeconds));
  }
  return { ok: true, points: out };
}

/** Validates a parsed `POST /ingest` body: `{"source_id"?, "points": [...]}`. */
export function validateIngestBody(body: unknown, limits: PointLimits): BodyCheck {
  if (!isRecord(body)) return { ok: false, status: 400, error: 'body must be a JSON object {"source_id", "points"}' };
  const { points, source_id: sourceId } = body;
  if (sourceId !== undefined) {
    const problem = sourceIdProblem(sourceId);
    if (problem !== undefined) return { ok: false, status: 400, error: `source_id ${problem}` };
  }
  if (!Array.isArray(points)) return { ok: false, status: 400, error: 'points must be an array' };
  if (points.length === 0) return { ok: false, status: 400, error: 'points must not be empty' };
  if (points.length > limits.maxPoints) {
    return { ok: false, status: 413, error: `${points.length} points, over the limit of ${limits.maxPoints} per request` };
  }
  return validatePoints(points, sourceId as string | undefined, limits);
}
