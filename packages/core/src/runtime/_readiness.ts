import type { Readiness } from '../observe/observe-server.js';
import type { Sink } from '../sink/sink-types.js';
import type { Channels } from './_channels.js';

/**
 * A bridge's readiness (`RunningBridge.readiness`): ready when every required channel is
 * connected and the sink accepts points; the details name each channel's state, why one is not
 * connected, and the sink's state.
 */
export function readinessOf(sink: Sink, channels: Channels): Readiness {
  const status = sink.status();
  const required: Record<string, string> = {};
  const optional: Record<string, string> = {};
  // Why a channel is not connected, as its bridge said (a refused connection, a missing file).
  const reasons: Record<string, string> = {};
  for (const [name, c] of Object.entries(channels.snapshot())) {
    (c.required ? required : optional)[name] = c.state;
    if (c.state !== 'connected' && c.reason !== undefined) reasons[name] = c.reason;
  }
  return {
    ready: channels.ready() && !status.refused && !status.stalled && status.accepting,
    details: {
      channels: required,
      ...(Object.keys(optional).length > 0 ? { optional_channels: optional } : {}),
      ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
      sink: {
        refused: status.refused,
        backpressured: status.backpressured,
        stalled: status.stalled,
        spooled_points: status.spool.points,
        receiver: status.receiver,
        ...(status.receiverReason === undefined ? {} : { receiver_reason: status.receiverReason }),
      },
    },
  };
}
