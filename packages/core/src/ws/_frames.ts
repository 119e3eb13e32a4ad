import type { Batch } from '../shared/batch.js';
import { batchPoints, pointsArrayJson } from '../shared/batch-codec.js';
import type { Point } from '../point/point.js';

/** One telemetry frame ready for the wire. */
export interface TelemetryFrame {
  traceId: string;
  text: string;
  points: number;
  /** Index in the batch of this frame's first point (to map `points[i]` errors back). */
  firstIndex: number;
}

/** Bytes of the frame around its points array (type, trace id, session), with room to spare. */
const ENVELOPE_BYTES = 512;

/**
 * The telemetry frames of one batch: one frame with `trace_id` = batch id when it fits in
 * `maxFrameBytes`, else consecutive parts with trace ids `<batch id>.p1`, `.p2`, ... (the same
 * cut on every retry, so a receiver can drop duplicate parts). Returns a reason instead when a
 * single point is larger than a frame.
 */
export function telemetryFrames(batch: Batch, maxFrameBytes: number): TelemetryFrame[] | { tooLarge: string } {
  const json = pointsArrayJson(batch);
  // Points carry a session only when their bridge has one: a batch whose text never names it is
  // not decoded into objects to look (a thousand points a batch, ten batches a second).
  const session = json.includes('"session_id"') ? commonSession(batchPoints(batch)) : undefined;
  if (Buffer.byteLength(json) + ENVELOPE_BYTES <= maxFrameBytes) {
    return [{ traceId: batch.id, text: frameText(batch.id, json, session), points: batch.count, firstIndex: 0 }];
  }
  const points = batchPoints(batch);
  const parts: Array<{ first: number; encoded: string[] }> = [];
  let current: string[] = [];
  let bytes = ENVELOPE_BYTES;
  let first = 0;
  for (const [i, point] of points.entries()) {
    const encoded = JSON.stringify(point);
    const size = Buffer.byteLength(encoded) + 1;
    if (size + ENVELOPE_BYTES > maxFrameBytes) return { tooLarge: `points[${i}] is ${size} bytes, over the ${maxFrameBytes}-byte frame limit` };
    if (current.length > 0 && bytes + size > maxFrameBytes) {
      parts.push({ first, encoded: current });
      current = [];
      bytes = ENVELOPE_BYTES;
      first = i;
    }
    current.push(encoded);
    bytes += size;
  }
  if (current.length > 0) parts.push({ first, encoded: current });
  return parts.map((part, n) => {
    const traceId = `${batch.id}.p${n + 1}`;
    return { traceId, text: frameText(traceId, `[${part.encoded.join(',')}]`, session), points: part.encoded.length, firstIndex: part.first };
  });
}

function frameText(traceId: string, pointsArray: string, session: string | undefined): string {
  const sessionPart = session === undefined ? '' : `,"session_id":${JSON.stringify(session)}`;
  return `{"type":"telemetry","trace_id":${JSON.stringify(traceId)}${sessionPart},"points":${pointsArray}}`;
}

/** The session every point of the batch carries, if they all carry the same one. */
function commonSession(points: readonly Point[]): string | undefined {
  const first = points[0]?.session_id;
  if (first === undefined) return undefined;
  return points.every((p) => p.session_id === first) ? first : undefined;
}
