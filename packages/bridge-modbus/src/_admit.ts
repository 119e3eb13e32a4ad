import { createChangeFilter, createKeyedProblems, type BridgeContext, type ChangeFilter, type KeyedProblems, type Point } from '@fieldbridge/core/bridge';
import { decodeAnswer } from './decode.js';
import type { ReadRequest } from './plan.js';
import type { ResolvedDevice, ResolvedPoint } from './resolve.js';

/**
 * Turns one device's answers into the points it sends: decodes an answer (stamped now), counts
 * and reports its problems (one episode per point, ended when it decodes again), and keeps the
 * points that pass their change filter (deadband, `on_change`).
 */
export class Admission {
  /** A change filter per point index, for the points with a deadband or `on_change`. */
  private readonly filters = new Map<number, ChangeFilter>();
  /** Decode problems per point, as episodes that end when the point decodes again. */
  private readonly pointProblems: KeyedProblems;
  /** Each point's episode key (its index as text), made once rather than per answer. */
  private readonly pointKeys: string[];

  constructor(
    private readonly device: ResolvedDevice,
    private readonly ctx: BridgeContext,
    private readonly label: string,
  ) {
    for (const point of device.points) {
      if (point.deadband === undefined && !point.onChange) continue;
      this.filters.set(point.index, createChangeFilter({ deadband: point.deadband, onChange: point.onChange, maxIntervalMs: point.maxIntervalMs, maxSeries: 1 }));
    }
    this.pointProblems = createKeyedProblems(ctx.problems, { prefix: `modbus.${device.name}.point` });
    this.pointKeys = device.points.map((p) => String(p.index));
  }

  /**
   * The points of `request`'s answer `data` to send. `decodeAnswer` gives one point per request
   * point without a problem, in order, which is how each point finds its filter.
   */
  admit(request: ReadRequest<ResolvedPoint>, data: number[] | boolean[]): readonly Point[] {
    const { name } = this.device;
    const { points, problems } = decodeAnswer(request, data, this.ctx.clock.now());
    const failed = new Set<number>();
    for (const problem of problems) {
      failed.add(problem.point);
      this.ctx.metrics.error(name, problem.kind);
      this.pointProblems.report(this.pointKeys[problem.point] as string, problem.kind, `${this.label}: ${problem.message}`, { device: name });
    }
    const kept: Point[] = [];
    const now = this.ctx.clock.monotonicNow();
    let deadband = 0;
    let unchanged = 0;
    let next = 0;
    for (const point of request.points) {
      if (failed.has(point.index)) continue;
      this.pointProblems.clean(this.pointKeys[point.index] as string);
      const decoded = points[next++] as Point;
      const verdict = this.filters.get(point.index)?.admit('value', decoded.value, now) ?? 'pass';
      if (verdict === 'pass') kept.push(decoded);
      else if (verdict === 'unchanged') unchanged += 1;
      else deadband += 1;
    }
    if (deadband > 0) this.ctx.metrics.suppressed(name, 'deadband', deadband);
    if (unchanged > 0) this.ctx.metrics.suppressed(name, 'unchanged', unchanged);
    return kept;
  }
}
