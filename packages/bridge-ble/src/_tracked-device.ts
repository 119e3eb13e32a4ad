import type { Channel } from '@fieldbridge/core/bridge';
import type { DeviceFilter } from './_filter.js';
import type { PointShapes, PointSource } from './decode.js';
import type { DeviceIdentity } from './identity.js';
import type { ResolvedDevice } from './resolve.js';

/** A physical device being heard: its entry, its channel, when it was last heard. */
export interface TrackedDevice {
  readonly device: ResolvedDevice;
  /** What it is tracked by: its address, or its identity's key. */
  readonly key: string;
  /** The address it was last heard from (a device tracked by its identity may rotate it). */
  address: string;
  readonly channel: Channel;
  /** The advertised local name last heard. */
  name: string | undefined;
  /** What it is tracked by instead of its address, which may change: a fleet's beacon's identity, or the name of a device matched by name on a changing random address. */
  readonly identity: DeviceIdentity | undefined;
  /** Addresses it left, the newest last (at most {@link ADDRESSES_LEFT}): one heard again is a second device advertising its identity. */
  left: string[];
  /** Data time (ms, see `DataTime`: monotonic for adverts heard live) of the last advert, value or connection. */
  lastHeardMs: number;
  /** A GATT connection is up: the device is never silent meanwhile. */
  linked: boolean;
  /**
   * Its last BTHome advert said it is trigger based: it sends when something happens (a button,
   * a door contact), so hours without an advert are no silence, unless its entry gives its own
   * `silent_after_s`.
   */
  triggerBased: boolean;
  /** `max_rate_hz`, `on_change` and `max_interval`, per series; undefined when neither of the first two is set. */
  readonly filter: DeviceFilter | undefined;
  /** Its metric names and tags, made once per measurement (new when its name changes). */
  shapes: PointShapes;
  /** Its adverts in a row that carried no data its decoder reads. */
  withoutData: number;
}

/** What a tracked device's points are made of, at data time `t`. */
export const sourceOf = (entry: TrackedDevice, t: number): PointSource => ({ device: entry.device, address: entry.address, name: entry.name, identity: entry.identity, t });

/** Addresses a device tracked by its identity is remembered to have left: enough to see two (or a few) devices taking turns, bounded. */
export const ADDRESSES_LEFT = 4;

/**
 * The channel of a physical device: the entry's name, plus (several devices may match) its
 * identity's label (`rooms/2.27`, `tags/Tag 12`; with `@<address>` when split off from another
 * device advertising it) or its address.
 */
export function channelName(device: ResolvedDevice, address: string, identity?: DeviceIdentity): string {
  if (device.match.by === 'address') return device.name;
  return `${device.name}/${identity ? `${identity.label}${identity.at === undefined ? '' : `@${identity.at}`}` : address}`;
}
