import { POINT_LIMITS, type Point, type PointValue, type Tags } from '../point/point.js';
import { checkTags, collectTags, validatePoint } from '../point/validate-point.js';

/** A point refused at `write()`: what the dead-letter record shows, and why. */
export class Refusal {
  constructor(
    readonly record: unknown,
    readonly reason: string,
  ) {}
}

/**
 * The sink's own copy of a written point, taken at `write()` and checked there, or why it is
 * refused. The sink holds a point until its batch seals (up to `linger_ms`), so it must not hold
 * the caller's objects: a state object reused for the next reading, or a tag map filled in later,
 * would change what is sent, and a value turned circular would throw where nothing can catch it.
 *
 * Cheap where it matters: numbers, strings and booleans are values already, and a flat string
 * tag map is copied in the loop that checks it. An object or array value (an event, rare) is
 * snapshotted through JSON, which is what the wire carries anyway; a value JSON cannot encode (a
 * cycle, a BigInt) is refused here with the reason. Only the fields of a point are kept. The
 * sink's tags (`sinkTags`, copied once) go under the point's own.
 */
export function createCapture(sinkTags: Tags | undefined): (input: unknown) => Point | Refusal {
  let base: Tags | undefined;
  if (sinkTags !== undefined) {
    base = {};
    collectTags(sinkTags, base);
    Object.freeze(base);
  }
  return (input) => {
    try {
      return capture(input, base);
    } catch (err) {
      // A getter or proxy that throws: the point cannot be read, so it cannot be sent either.
      return new Refusal(input, `point could not be read: ${(err as Error)?.message ?? String(err)}`);
    }
  };
}

function capture(input: unknown, base: Tags | undefined): Point | Refusal {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return new Refusal(input, 'point must be an object');
  // Each field is read once: what is checked is what is kept.
  const { metric, value: written, timestamp, source_id, session_id, class: cls, tags } = input as Point;
  let value: unknown = written;
  if (typeof value === 'object' && value !== null) {
    value = snapshot(value);
    if (value === UNENCODABLE) return new Refusal(input, validatePoint(input) ?? 'value cannot be encoded as JSON');
  }
  const point: Point = { metric, value: value as PointValue };
  if (timestamp !== undefined) point.timestamp = timestamp;
  if (source_id !== undefined) point.source_id = source_id;
  if (session_id !== undefined) point.session_id = session_id;
  if (cls !== undefined) point.class = cls;
  // Tags are checked below, as they are copied.
  const reason = validatePoint(point);
  if (reason !== undefined) return new Refusal(input, reason);
  if (tags === undefined) {
    if (base !== undefined) point.tags = base;
    return point;
  }
  const own: Tags = base === undefined ? {} : { ...base };
  const tagProblem = collectTags(tags, own);
  if (tagProblem !== undefined) return new Refusal(input, tagProblem);
  point.tags = own;
  if (base === undefined) return point;
  const merged = checkTags(own);
  // Recorded as refused: with the sink's tags, which made too many.
  return merged === undefined ? point : new Refusal(point, `with the sink's tags: ${merged}`);
}

const UNENCODABLE = Symbol('unencodable');

/** A deep copy of `value` as JSON carries it, or UNENCODABLE. */
function snapshot(value: object): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // The reason is worked out again by validatePoint, in its order of rules.
    return UNENCODABLE;
  }
  if (json === undefined) return UNENCODABLE;
  // Past the cap it is refused anyway (by validatePoint, from this copy): not worth parsing.
  if (json.length > POINT_LIMITS.eventValueMaxBytes) return value;
  return JSON.parse(json) as unknown;
}
