import type { Registry } from 'prom-client';
import type { Readiness } from '../observe/observe-server.js';
import type { SinkStatus } from '../sink/sink-types.js';

/** Counters read for a status line. */
export interface StatusSample {
  atMs: number;
  sent: number;
  dropped: number;
}

/**
 * One human status line for a terminal: delivery rate since the last sample, what is spooled,
 * drops, and each channel's state, e.g.
 * `sent 1,204 points (40/s), spooled 0, dropped 0; press1 connected`.
 */
export function formatStatus(previous: StatusSample, current: StatusSample, sink: SinkStatus, readiness: Readiness): string {
  const seconds = Math.max(0.001, (current.atMs - previous.atMs) / 1000);
  const rate = (current.sent - previous.sent) / seconds;
  const parts = [
    `sent ${current.sent.toLocaleString('en-US')} points (${Math.round(rate).toLocaleString('en-US')}/s)`,
    `spooled ${sink.spool.points.toLocaleString('en-US')}`,
    `dropped ${current.dropped.toLocaleString('en-US')}`,
  ];
  if (sink.refused) parts.push('the receiver refuses our key');
  else if (sink.receiver === 'down') parts.push(`the receiver is not taking data${sink.receiverReason ? ` (${sink.receiverReason})` : ''}`);
  if (sink.backpressured) parts.push('spool full: polls skipped');
  if (sink.stalled) parts.push('the spool is failing: nothing is delivered');
  const channels = channelStates(readiness).map(([name, state]) => `${name} ${state}`);
  return `${parts.join(', ')}${channels.length ? `; ${channels.join(', ')}` : ''}`;
}

/** Required channels and their states; with several bridges, named `<bridge>/<channel>`. */
function channelStates(readiness: Readiness): [string, string][] {
  const own = (details: Record<string, unknown>) => Object.entries((details.channels ?? {}) as Record<string, string>);
  const bridges = readiness.details.bridges as Record<string, Record<string, unknown>> | undefined;
  if (!bridges) return own(readiness.details);
  return Object.entries(bridges).flatMap(([bridge, details]) => own(details).map(([name, state]): [string, string] => [`${bridge}/${name}`, state]));
}

/** Reads the sink's sent and dropped totals from its registry. */
export async function sampleCounters(registry: Registry, atMs: number): Promise<StatusSample> {
  const total = async (name: string) => {
    const metric = registry.getSingleMetric(name);
    if (!metric) return 0;
    return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
  };
  return { atMs, sent: await total('fieldbridge_points_sent_total'), dropped: await total('fieldbridge_points_dropped_total') };
}
