import { createChangeFilter, createKeyedProblems, type BridgeContext, type Channel, type ChangeFilter, type KeyedProblems, type Point } from '@fieldbridge/core/bridge';
import type { MavlinkMetrics } from './_metrics.js';
import type { VehicleChannels } from './_vehicles.js';
import { decodeRead, type MavlinkDecodeProblem, type PointMaker, type ReadInput } from './decode.js';
import type { ResolvedMavlink } from './resolve.js';
import type { VehicleEvent } from './vehicle-tracker.js';

/** The episode key of problems without a system (garbage between frames): the link's. */
const LINK_KEY = 'link';
const systemKey = (sysid: number): string => `system-${sysid}`;

/**
 * Turns what the reader gave into points and writes them: problems counted (per kind on the
 * link's channel, per system in `fieldbridge_mavlink_problems_total`) and logged once per
 * episode per system; vehicle events applied to the channels with their event points; each
 * message's points through its change filter (`max_rate_hz`, `on_change`) and written with one
 * `ctx.emit` on its vehicle's channel. While the sink is blocked on a link that cannot hold data
 * back (UDP, serial), points are dropped and counted; decoding goes on, so vehicles, clocks and
 * loss stay right.
 */
export class Delivery {
  private readonly filters = new Map<string, ChangeFilter>();
  private readonly problems: KeyedProblems;
  /** Systems with a problem in the current read, and whether one had no system. */
  private readonly troubled = new Set<number>();
  private linkTrouble = false;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly vehicles: VehicleChannels,
    private readonly maker: PointMaker,
    private readonly metrics: MavlinkMetrics,
    config: Pick<ResolvedMavlink, 'messages'>,
    /** True when the link holds data back while blocked (TCP, a .tlog) rather than dropping it. */
    private readonly holds: boolean,
  ) {
    for (const [name, message] of config.messages) if (message.filter) this.filters.set(name, createChangeFilter(message.filter));
    this.problems = createKeyedProblems(ctx.problems, { prefix: `mavlink.${vehicles.link.name}`, maxKeys: 512 });
  }

  /** Handles one read; `filterAtMs` is the change filter's time (monotonic, or the replay's recorded time). */
  read(result: ReadInput, filterAtMs: number): void {
    const decoded = decodeRead(result, this.maker);
    this.troubled.clear();
    this.linkTrouble = false;
    for (const problem of decoded.problems) this.problem(problem);
    const heard = new Set<number>();
    for (const batch of decoded.batches) {
      if (batch.kind === 'event') {
        this.vehicles.apply(batch.event, batch.points[0], (channel, points) => this.write(channel, points));
        if (batch.event.kind === 'link.stats') {
          this.metrics.frames(batch.sysid, batch.event.received);
          this.metrics.lost(batch.sysid, batch.event.lost);
        }
        continue;
      }
      if (heard.size === 0) this.vehicles.message();
      heard.add(batch.sysid);
      const channel = this.vehicles.channelOf(batch.sysid);
      this.ctx.metrics.messages(channel.name);
      this.write(channel, this.admit(batch.message.name, batch.points, filterAtMs, channel.name));
    }
    for (const sysid of heard) if (!this.troubled.has(sysid)) this.problems.clean(systemKey(sysid));
    if (heard.size > 0 && !this.linkTrouble) this.problems.clean(LINK_KEY);
  }

  /** Applies vehicle events from a link timeout check. */
  events(events: readonly VehicleEvent[]): void {
    if (events.length > 0) this.read({ messages: [], events, problems: [] }, 0);
  }

  private write(channel: Channel, points: Point[]): void {
    if (points.length === 0) return;
    if (!this.holds && this.ctx.flow.blocked()) {
      this.ctx.metrics.dropped(channel.name, 'blocked', points.length);
      return;
    }
    this.ctx.emit(channel, points);
  }

  private problem(p: MavlinkDecodeProblem): void {
    this.ctx.metrics.error(this.vehicles.link.name, p.kind);
    this.metrics.problem(p.sysid, p.kind);
    if (p.sysid === undefined) {
      this.linkTrouble = true;
      this.problems.report(LINK_KEY, p.kind, `${this.vehicles.link.name}: ${p.message}`);
    } else {
      this.troubled.add(p.sysid);
      this.problems.report(systemKey(p.sysid), p.kind, `${this.vehicles.link.name}: ${p.message}`, { sysid: p.sysid });
    }
  }

  /** The points of one message that pass its change filter; the rest counted as suppressed. */
  private admit(name: string, points: Point[], atMs: number, channel: string): Point[] {
    const filter = this.filters.get(name);
    if (!filter || points.length === 0) return points;
    const kept: Point[] = [];
    let rate = 0;
    let unchanged = 0;
    for (const point of points) {
      const verdict = filter.admit(seriesOf(point), point.value, atMs);
      if (verdict === 'pass') kept.push(point);
      else if (verdict === 'rate') rate += 1;
      else unchanged += 1;
    }
    if (rate > 0) this.ctx.metrics.suppressed(channel, 'rate', rate);
    if (unchanged > 0) this.ctx.metrics.suppressed(channel, 'unchanged', unchanged);
    return kept;
  }
}

/** A point's series: its source, metric and the tags that tell instances and components apart. */
function seriesOf(point: Point): string {
  const tags = point.tags;
  return tags?.instance === undefined && tags?.compid === undefined
    ? `${point.source_id}\u0000${point.metric}`
    : `${point.source_id}\u0000${point.metric}\u0000${tags.instance ?? ''}\u0000${tags.compid ?? ''}`;
}
