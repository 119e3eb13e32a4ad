import { createChangeFilter, createKeyedProblems, type BridgeContext, type Channel, type ChangeFilter, type KeyedProblems, type Point } from '@fieldbridge/core/bridge';
import type { MavlinkMetrics } from './_metrics.js';
import { NoiseEpisode, UNCHECKED_KINDS } from './_noise.js';
import { SharedIdWatch } from './_shared-ids.js';
import type { VehicleChannels } from './_vehicles.js';
import { decodeRead, type MavlinkDecodeProblem, type PointMaker, type ReadInput } from './decode.js';
import type { ResolvedMavlink } from './resolve.js';
import type { RouteEvent } from './routes.js';
import type { VehicleEvent } from './vehicle-tracker.js';

/** The episode key of problems without a system (a bad metric template for events): the link's. */
const LINK_KEY = 'link';
/** Systems remembered as heard in a valid frame (system ids are 8-bit). */
const MAX_SYSTEMS = 256;
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
  /** Systems heard in a valid frame: the only ones an unchecked problem is put down to. */
  private readonly known = new Set<number>();
  private readonly noise: NoiseEpisode;
  private readonly sharedIds: SharedIdWatch;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly vehicles: VehicleChannels,
    private readonly maker: PointMaker,
    private readonly metrics: MavlinkMetrics,
    config: Pick<ResolvedMavlink, 'messages' | 'dialect'>,
    /** True when the link holds data back while blocked (TCP, a .tlog) rather than dropping it. */
    private readonly holds: boolean,
  ) {
    for (const [name, message] of config.messages) if (message.filter) this.filters.set(name, createChangeFilter(message.filter));
    this.problems = createKeyedProblems(ctx.problems, { prefix: `mavlink.${vehicles.link.name}`, maxKeys: 512 });
    this.sharedIds = new SharedIdWatch(ctx.problems, vehicles.link.name);
    this.noise = new NoiseEpisode(ctx.problems, `mavlink.${vehicles.link.name}.noise`, vehicles.link.name, config.dialect);
  }

  /** Handles one read; `filterAtMs` is the change filter's time (monotonic, or the replay's recorded time). */
  read(result: ReadInput, filterAtMs: number): void {
    const decoded = decodeRead(result, this.maker);
    this.troubled.clear();
    this.linkTrouble = false;
    const heard = new Set<number>();
    // Known before the problems are put down to systems: a frame of a new vehicle makes it known, whatever came before it in the read.
    for (const batch of decoded.batches) if (this.known.size < MAX_SYSTEMS) this.known.add(batch.sysid);
    for (const problem of decoded.problems) this.problem(problem);
    for (const batch of decoded.batches) {
      if (batch.kind === 'event') {
        this.vehicles.apply(batch.event, batch.points[0], (channel, points) => this.write(channel, points));
        if (batch.event.kind === 'vehicle.restarted') this.sharedIds.restarted(batch.sysid, batch.event.compid, batch.event.atMs);
        if (batch.event.kind === 'route.added' || batch.event.kind === 'route.changed') this.route(batch.event);
        if (batch.event.kind === 'route.shared') this.sharedIds.heardApart(batch.event);
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
    this.noise.settle(filterAtMs, heard.size > 0);
  }

  /** Applies vehicle events from a link timeout check. */
  events(events: readonly VehicleEvent[]): void {
    if (events.length > 0) this.read({ messages: [], events, problems: [] }, 0);
  }

  /** A vehicle heard over another route, or a failover: said once each, as they happen. */
  private route(event: Exclude<RouteEvent, { kind: 'route.shared' }>): void {
    const link = this.vehicles.link.name;
    const fields = { channel: link, sysid: event.sysid, route: event.route };
    if (event.kind === 'route.added') {
      this.ctx.logger.info({ ...fields, inUse: event.inUse }, `${link}: system ${event.sysid} is heard over ${event.route} too: kept for failover, its values read from ${event.inUse} (and from ${event.route} the messages only it sends)`);
    } else {
      const quiet = Math.round(event.quietMs / 100) / 10;
      this.ctx.logger.warn({ ...fields, previous: event.previous, quietMs: event.quietMs }, `${link}: system ${event.sysid}: ${event.previous} quiet for ${quiet} s, its values are read from ${event.route} now`);
    }
  }

  private write(channel: Channel, points: Point[]): void {
    if (points.length === 0) return;
    if (!this.holds && this.ctx.flow.blocked()) {
      this.ctx.metrics.dropped(channel.name, 'blocked', points.length);
      return;
    }
    this.ctx.emit(channel, points);
  }

  private problem(p: MavlinkDecodeProblem & { bytes?: number }): void {
    this.ctx.metrics.error(this.vehicles.link.name, p.kind);
    // An unchecked frame's system id may be made up (noise): put down to a system only once that one was heard for real.
    const unchecked = UNCHECKED_KINDS.has(p.kind);
    const sysid = unchecked && p.sysid !== undefined && !this.known.has(p.sysid) ? undefined : p.sysid;
    this.metrics.problem(sysid, p.kind);
    // Noise, and message ids not in the dialect (of any system): one episode for the link, with counts.
    if (unchecked && (sysid === undefined || p.kind === 'unknown_message')) {
      this.noise.add(p);
      return;
    }
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

/** A point's series: its source, metric and the tags that tell instances, components and systems apart. */
function seriesOf(point: Point): string {
  const tags = point.tags;
  return tags?.instance === undefined && tags?.compid === undefined && tags?.sysid === undefined
    ? `${point.source_id}\u0000${point.metric}`
    : `${point.source_id}\u0000${point.metric}\u0000${tags.instance ?? ''}\u0000${tags.compid ?? ''}\u0000${tags.sysid ?? ''}`;
}
