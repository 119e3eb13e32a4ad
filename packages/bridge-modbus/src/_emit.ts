import type { BridgeContext, Point } from '@fieldbridge/core';
import type { ModbusMetrics } from './_metrics.js';
import { decodePoint } from './decode.js';
import { describeRequest, type ReadRequest } from './plan.js';
import type { ResolvedDevice, ResolvedPoint } from './resolve.js';

/** What {@link emitPoints} needs besides the answer. */
export interface EmitEnv {
  device: ResolvedDevice;
  ctx: BridgeContext;
  metrics: ModbusMetrics;
  /** Last value sent per point index, for deadbands. */
  lastSent: Map<number, number>;
}

/**
 * Decodes every point of an answer and writes it, stamped `timestampMs`. Numbers go as class
 * `metric`; non-finite numbers (a float read with the wrong byte order, an unset register)
 * are counted and reported instead of sent; a deadband holds back changes smaller than it.
 */
export function emitPoints(request: ReadRequest<ResolvedPoint>, data: readonly number[] | readonly boolean[], timestampMs: number, env: EmitEnv): void {
  const { device, ctx, metrics, lastSent } = env;
  let read = 0;
  let suppressed = 0;
  for (const point of request.points) {
    let value: number | string | boolean;
    try {
      value = decodePoint(point, data, point.address - request.address);
    } catch (err) {
      metrics.errors.inc({ device: device.name, kind: 'bad_response' });
      ctx.problems.report(`modbus.${device.name}.decode.${point.index}`, `device ${device.name}: ${point.metric} could not be decoded from ${describeRequest(request)}: ${(err as Error).message}`);
      continue;
    }
    read += 1;
    const point_: Point = { metric: point.metric, value, timestamp: timestampMs, tags: { ...point.tags } };
    if (typeof value === 'number') {
      const key = `modbus.${device.name}.non_finite.${point.index}`;
      if (!Number.isFinite(value)) {
        metrics.errors.inc({ device: device.name, kind: 'non_finite' });
        ctx.problems.report(key, `device ${device.name}: ${point.metric} decoded to ${value} (${point.type} ${point.byteOrder} at ${point.table} ${point.address}); not sent. Check byte_order with bridge-modbus --probe`);
        continue;
      }
      ctx.problems.resolve(key);
      if (point.deadband !== undefined) {
        const last = lastSent.get(point.index);
        if (last !== undefined && Math.abs(value - last) < point.deadband) {
          suppressed += 1;
          continue;
        }
        lastSent.set(point.index, value);
      }
      point_.class = 'metric';
    }
    ctx.sink.write(point_);
  }
  if (read > 0) metrics.pointsRead.inc({ device: device.name }, read);
  if (suppressed > 0) metrics.pointsSuppressed.inc({ device: device.name }, suppressed);
}
