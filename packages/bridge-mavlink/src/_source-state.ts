// What the parts of a MAVLink source (source.ts) share while it runs: the link, the reader and
// delivery once started, and the link's timing. One object, so each part reads what the others
// set, as one closure did.
import type { BridgeContext, Channel } from '@fieldbridge/core/bridge';
import type { Delivery } from './_deliver.js';
import type { MavlinkMetrics } from './_metrics.js';
import type { VehicleChannels } from './_vehicles.js';
import type { MavlinkLink } from './link.js';
import type { TlogProgress } from './link-tlog.js';
import type { MavlinkReader } from './reader.js';
import type { ResolvedMavlink } from './resolve.js';

export interface SourceState {
  readonly ctx: BridgeContext;
  readonly config: ResolvedMavlink;
  /** The link's channel name: the connection URL with its defaults. */
  readonly name: string;
  readonly linkChannel: Channel;
  readonly vehicles: VehicleChannels;
  readonly metrics: MavlinkMetrics;
  /** True when the link holds data back while the sink is blocked (TCP, a replay) rather than dropping it. */
  readonly holds: boolean;
  reader?: MavlinkReader;
  delivery?: Delivery;
  link?: MavlinkLink;
  /** When the last bytes arrived (monotonic ms). */
  lastBytesAt: number;
  /** When the link opened (monotonic ms), while nothing has been heard on it since; undefined once bytes came. */
  silentSince?: number;
  /** Set once `stop()` began. */
  stopping?: Promise<void>;
  /** A replay's progress (kept across reloads), and the records delivered before this start. */
  replayed?: { progress: TlogProgress; before: number };
}
