import { messageOf } from './_context.js';
import type { GatewayContext } from './_context.js';
import { validatePoints } from './_validate-point.js';
import type { DeviceInfo } from './types.js';

/**
 * One `telemetry` frame: `{"type":"telemetry","points":[...],"trace_id"?,"session_id"?}`,
 * validated with the HTTP ingest rules (the device's source id stands in for the body's), and
 * stored with `batch_id` = `trace_id`. A refused frame is answered with an `error` frame
 * (`invalid_telemetry` or `too_large`, naming `points[i]` and the trace id) and nothing is
 * stored; with `wsAck`, a stored one with `{"type":"ack","trace_id","count"}`.
 */
export function handleTelemetry(
  ctx: GatewayContext,
  device: DeviceInfo,
  frame: Record<string, unknown>,
  send: (frame: Record<string, unknown>) => void,
): void {
  const traceId = typeof frame.trace_id === 'string' && frame.trace_id !== '' ? frame.trace_id : undefined;
  const refuse = (code: string, detail: string): void => {
    ctx.observer.refused({ via: 'ws', status: code, error: detail, sourceId: device.sourceId });
    send({ type: 'error', code, detail, ...(traceId === undefined ? {} : { trace_id: traceId }) });
  };
  const { points, session_id: sessionId } = frame;
  if (!Array.isArray(points)) return refuse('invalid_telemetry', 'points must be an array');
  if (points.length === 0) return refuse('invalid_telemetry', 'points must not be empty');
  if (points.length > ctx.options.maxPoints) {
    return refuse('too_large', `${points.length} points, over the limit of ${ctx.options.maxPoints} per frame`);
  }
  if (sessionId !== undefined && typeof sessionId !== 'string') return refuse('invalid_telemetry', 'session_id must be a string');
  const tagged =
    sessionId === undefined
      ? points
      : points.map((p: unknown) => (typeof p === 'object' && p !== null && (p as { session_id?: unknown }).session_id === undefined ? { ...p, session_id: sessionId } : p));
  const check = validatePoints(tagged, device.sourceId, ctx.options);
  if (!check.ok) return refuse(check.status === 413 ? 'too_large' : 'invalid_telemetry', check.error);
  let count: number;
  try {
    ({ count } = ctx.store.addBatch(check.points, { receivedAtMs: ctx.clockNow(), batchId: traceId, via: 'ws' }));
  } catch (err) {
    return refuse('internal', `gateway-dev could not store the frame: ${messageOf(err)}`);
  }
  device.telemetryFrames += 1;
  device.points += count;
  if (ctx.options.wsAck && traceId !== undefined) send({ type: 'ack', trace_id: traceId, count });
}
