import { POINT_LIMITS, SOURCE_ID_PATTERN, type Point, type PointClass } from './point.js';

/** The class a point is sent as: its own, else `metric` for numbers and `event` otherwise. */
export function classOf(point: Point): PointClass {
  return point.class ?? (typeof point.value === 'number' ? 'metric' : 'event');
}

/**
 * Checks a point against the real gateway's rules (DESIGN section 2). Returns the reason it
 * would be refused, or undefined when it is valid. Cheap enough for every `write()`.
 */
export function validatePoint(point: unknown): string | undefined {
  if (typeof point !== 'object' || point === null || Array.isArray(point)) return 'point must be an object';
  const p = point as Partial<Point>;
  if (typeof p.metric !== 'string' || p.metric.length === 0) return 'metric must be a non-empty string';
  if (p.metric.length > POINT_LIMITS.metricMaxChars) return `metric longer than ${POINT_LIMITS.metricMaxChars} characters`;
  if (p.value === undefined || p.value === null) return 'value is missing or null';
  if (p.class !== undefined && p.class !== 'metric' && p.class !== 'event') return "class must be 'metric' or 'event'";
  const cls = classOf(p as Point);
  if (cls === 'metric') {
    if (typeof p.value !== 'number') return 'value of a metric must be a number';
    if (!Number.isFinite(p.value)) return 'value of a metric must be finite (NaN and Infinity are refused)';
  } else {
    const reason = checkEventValue(p.value);
    if (reason) return reason;
  }
  if (p.timestamp !== undefined) {
    if (typeof p.timestamp !== 'number' || !Number.isFinite(p.timestamp)) return 'timestamp must be a finite number (ms since the epoch)';
    if (p.timestamp < POINT_LIMITS.minTimestampMs) return 'timestamp looks like seconds; send milliseconds since the epoch';
  }
  if (p.source_id !== undefined) {
    const reason = checkSourceId(p.source_id);
    if (reason) return reason;
  }
  if (p.session_id !== undefined && typeof p.session_id !== 'string') return 'session_id must be a string';
  if (p.tags !== undefined) return checkTags(p.tags);
  return undefined;
}

/** Reason a source id is refused, or undefined. */
export function checkSourceId(sourceId: unknown): string | undefined {
  if (typeof sourceId !== 'string' || !SOURCE_ID_PATTERN.test(sourceId)) {
    return `source_id must match ${SOURCE_ID_PATTERN.source}`;
  }
  if (sourceId.length > POINT_LIMITS.sourceIdMaxChars) return `source_id longer than ${POINT_LIMITS.sourceIdMaxChars} characters`;
  return undefined;
}

/** Reason a tag map is refused, or undefined. */
export function checkTags(tags: unknown): string | undefined {
  return collectTags(tags, undefined);
}

/**
 * {@link checkTags} that also copies the tags it checks into `into` (when given), in the same
 * loop: the sink keeps its own copy of a point's tags, so a map the caller changes after
 * `write()` cannot change what is sent.
 */
export function collectTags(tags: unknown, into: Record<string, string> | undefined): string | undefined {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return 'tags must be an object';
  // for-in over own keys, no entries array: this runs for every point written.
  let count = 0;
  for (const key in tags) {
    if (!Object.hasOwn(tags, key)) continue;
    if (++count > POINT_LIMITS.maxTags) return `more than ${POINT_LIMITS.maxTags} tags`;
    const value = (tags as Record<string, unknown>)[key];
    if (typeof value !== 'string') return `tag ${key} must be a string`;
    if (key.length > POINT_LIMITS.tagMaxChars || value.length > POINT_LIMITS.tagMaxChars) {
      return `tag ${key.slice(0, 32)} longer than ${POINT_LIMITS.tagMaxChars} characters`;
    }
    if (into === undefined) continue;
    // A tag named __proto__ is a plain key, as it is in the JSON sent.
    if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
    else into[key] = value;
  }
  return undefined;
}

function checkEventValue(value: unknown): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'value must be finite (NaN and Infinity are refused)';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return `value cannot be encoded as JSON: ${(err as Error).message}`;
  }
  if (json === undefined) return 'value cannot be encoded as JSON';
  if (Buffer.byteLength(json) > POINT_LIMITS.eventValueMaxBytes) {
    return `event value larger than ${POINT_LIMITS.eventValueMaxBytes} bytes`;
  }
  return undefined;
}
