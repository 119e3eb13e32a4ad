import type { BridgeContext, Channel, Point } from '@fieldbridge/core/bridge';
import { formatDuration } from '@fieldbridge/core/bridge';
import type { VehicleEvent } from './vehicle-tracker.js';

/** The channel name of vehicle `sysid`: `system-1`. */
export const vehicleChannelName = (sysid: number): string => `system-${sysid}`;

/**
 * The link's channel (required) and one optional channel per vehicle under it, driven by the
 * vehicle events: a HEARTBEAT opens a vehicle's channel (`vehicle.found`, `link.restored`), its
 * absence for the link timeout closes it (`link.lost`), so a vehicle that lands and powers off
 * never makes the bridge unready. The link is connected while its transport is open and
 * MAVLink comes in: from the first message or heartbeat until every vehicle it carried is lost,
 * and after that from the next heartbeat (messages without heartbeats do not bring it back).
 */
export class VehicleChannels {
  private readonly open = new Map<number, Channel>();
  private transportUp = false;
  private everUp = false;
  /** Every vehicle the link carried is lost: only a heartbeat brings the link back. */
  private silent = false;

  constructor(
    private readonly ctx: BridgeContext,
    readonly link: Channel,
    private readonly linkTimeoutMs: number,
  ) {}

  /** The channel points of `sysid` go to: its own while its link is up, else the link's (a system heard before its first HEARTBEAT). */
  channelOf(sysid: number): Channel {
    return this.open.get(sysid) ?? this.link;
  }

  /** Applies a vehicle event; `emit` writes its point (if any) on the channel it belongs to, before that channel may close. */
  apply(event: VehicleEvent, point: Point | undefined, emit: (channel: Channel, points: Point[]) => void): void {
    switch (event.kind) {
      case 'vehicle.found':
      case 'link.restored': {
        const channel = this.ctx.channel(vehicleChannelName(event.sysid), { required: false, parent: this.link.name });
        channel.set('connected');
        this.open.set(event.sysid, channel);
        if (point) emit(channel, [point]);
        this.heartbeat();
        return;
      }
      case 'link.lost': {
        const channel = this.open.get(event.sysid);
        if (point) emit(channel ?? this.link, [point]);
        this.open.delete(event.sysid);
        channel?.close(`no HEARTBEAT for ${formatDuration(this.linkTimeoutMs)}`);
        if (this.open.size === 0) {
          this.silent = true;
          if (this.transportUp) this.link.set('disconnected', `no HEARTBEAT from any vehicle for ${formatDuration(this.linkTimeoutMs)}`);
        }
        return;
      }
      case 'link.stats':
        if (point) emit(this.channelOf(event.sysid), [point]);
        this.heartbeat();
        return;
      default:
        if (point) emit(this.channelOf(event.sysid), [point]);
    }
  }

  /** The transport opened (bound, connected, opened). */
  transportOpen(): void {
    this.transportUp = true;
    if (this.open.size > 0) this.link.set('connected');
    else this.link.set(this.everUp ? 'disconnected' : 'connecting', 'open, waiting for a HEARTBEAT');
  }

  /** The transport went away (a TCP connection dropped, a serial adapter unplugged, a replay ended). */
  transportDown(reason: string): void {
    this.transportUp = false;
    this.link.set('disconnected', reason);
  }

  /** Closes every vehicle's channel (the bridge stops, or a replay ended). */
  closeAll(reason: string): void {
    for (const channel of this.open.values()) channel.close(reason);
    this.open.clear();
  }

  /** A message came through the link. */
  message(): void {
    if (this.transportUp && !this.silent) this.markUp();
  }

  /** A heartbeat came: the link carries a vehicle. */
  private heartbeat(): void {
    this.silent = false;
    if (this.transportUp) this.markUp();
  }

  private markUp(): void {
    this.everUp = true;
    this.link.set('connected');
  }
}
