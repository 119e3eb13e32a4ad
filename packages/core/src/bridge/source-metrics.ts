import { Counter, Gauge, type Registry } from 'prom-client';
import { metricOnce } from '../shared/metric-once.js';

/**
 * The metrics every bridge has, with fixed names and the labels `bridge` and `channel` (a
 * device, a subscription, a bus, a vehicle, a tag). A bridge adds only its protocol's own.
 *
 * - `fieldbridge_source_points_total`: points decoded and written to the sink.
 * - `fieldbridge_source_messages_total`: messages, frames, answers or adverts read.
 * - `fieldbridge_source_errors_total{kind}`: problems by kind (timeout, bad_frame, ...).
 * - `fieldbridge_source_points_suppressed_total{reason}`: points held back on purpose: by the change
 *   filter (`deadband`, `rate`, `unchanged`) or by a bridge (MQTT's `retained_repeat`, `retained_stale`
 *   and Sparkplug's `transient`, OPC-UA's `branch`).
 * - `fieldbridge_source_points_dropped_total{reason}`: points the source could not keep (e.g.
 *   `blocked` while the spool is full and the protocol cannot wait).
 * - `fieldbridge_source_connected`: 1 while the channel is connected.
 * - `fieldbridge_polls_skipped_total`: polls skipped while the spool is full under `when_full: block`.
 */
export interface SourceMetrics {
  /** The bridge's name, the `bridge` label. */
  readonly bridge: string;
  points(channel: string, count: number): void;
  messages(channel: string, count?: number): void;
  error(channel: string, kind: string, count?: number): void;
  suppressed(channel: string, reason: string, count?: number): void;
  dropped(channel: string, reason: string, count?: number): void;
  skipped(channel: string): void;
  connected(channel: string, up: boolean): void;
  /** A channel closed for good: its series leave `/metrics`. */
  forget(channel: string): void;
}

/** Channels labelled one by one; past this, the rest share the label `_other` (bounded cardinality). */
export const MAX_LABELLED_CHANNELS = 1000;

interface Family {
  points: Counter<'bridge' | 'channel'>;
  messages: Counter<'bridge' | 'channel'>;
  errors: Counter<'bridge' | 'channel' | 'kind'>;
  suppressed: Counter<'bridge' | 'channel' | 'reason'>;
  dropped: Counter<'bridge' | 'channel' | 'reason'>;
  skipped: Counter<'bridge' | 'channel'>;
  connected: Gauge<'bridge' | 'channel'>;
}

/**
 * Per registry, what moves the counts bridges keep in plain numbers into prom-client. Points and
 * messages are counted on every message, and a prom-client increment with labels costs about
 * 0.3 µs (it hashes the labels each time): they are added up here and handed over when the
 * counters are read (`collect`, at every scrape), so a reader always sees them all.
 */
const tallied = new WeakMap<Registry, Set<() => void>>();

function family(registry: Registry): Family {
  const registers = [registry];
  const get = <T>(name: string, make: () => T): T => metricOnce(registry, name, make);
  const collect = (): void => {
    for (const flush of tallied.get(registry) ?? []) flush();
  };
  return {
    points: get('fieldbridge_source_points_total', () => new Counter({ name: 'fieldbridge_source_points_total', help: 'Points decoded and written to the sink, by bridge and channel.', labelNames: ['bridge', 'channel'], registers, collect })),
    messages: get('fieldbridge_source_messages_total', () => new Counter({ name: 'fieldbridge_source_messages_total', help: 'Messages, frames, answers or adverts read, by bridge and channel.', labelNames: ['bridge', 'channel'], registers, collect })),
    errors: get('fieldbridge_source_errors_total', () => new Counter({ name: 'fieldbridge_source_errors_total', help: 'Source problems by bridge, channel and kind.', labelNames: ['bridge', 'channel', 'kind'], registers })),
    suppressed: get('fieldbridge_source_points_suppressed_total', () =>
      new Counter({ name: 'fieldbridge_source_points_suppressed_total', help: 'Points held back on purpose, by reason: the change filter (deadband, rate, unchanged), a bridge (retained_repeat: an MQTT retained message repeating the last one delivered; retained_stale: a retained message older than the last one delivered; transient: a Sparkplug metric flagged is_transient; branch: an OPC-UA condition branch left out).', labelNames: ['bridge', 'channel', 'reason'], registers })),
    dropped: get('fieldbridge_source_points_dropped_total', () =>
      new Counter({ name: 'fieldbridge_source_points_dropped_total', help: 'Points a source could not keep, by reason (blocked: the spool was full and the protocol cannot wait).', labelNames: ['bridge', 'channel', 'reason'], registers })),
    skipped: get('fieldbridge_polls_skipped_total', () => new Counter({ name: 'fieldbridge_polls_skipped_total', help: 'Polls skipped because the spool is full under when_full: block.', labelNames: ['bridge', 'channel'], registers })),
    connected: get('fieldbridge_source_connected', () => new Gauge({ name: 'fieldbridge_source_connected', help: '1 when the channel is connected.', labelNames: ['bridge', 'channel'], registers })),
  };
}

/**
 * Removes the `fieldbridge_source_connected` series of `channels` of bridge `bridge` from
 * `registry`: a reload replaced the bridge, and a channel its file no longer has must not stay on
 * `/metrics` as down (the bridge started in its place sets its own).
 */
export function forgetConnected(registry: Registry, bridge: string, channels: Iterable<string>): void {
  const connected = registry.getSingleMetric('fieldbridge_source_connected') as Gauge<'bridge' | 'channel'> | undefined;
  for (const channel of channels) connected?.remove({ bridge, channel });
}

/**
 * The standard metrics of bridge `bridge` on `registry` (created there once, shared by every
 * bridge of the process). Points and messages are added up per channel in plain numbers and
 * handed to prom-client when the counters are read, so counting on the hot path costs a map
 * lookup and an addition. `release()`, once the bridge stopped, hands over what is left and lets
 * the registry forget these metrics' tallies.
 */
export function createSourceMetrics(registry: Registry, bridge: string): SourceMetrics & { release(): void } {
  const f = family(registry);
  const labelled = new Set<string>();
  const label = (channel: string): string => {
    if (labelled.has(channel)) return channel;
    if (labelled.size >= MAX_LABELLED_CHANNELS) return '_other';
    labelled.add(channel);
    return channel;
  };
  const tallies = new Map<string, { label: string; points: number; messages: number }>();
  const tally = (channel: string): { label: string; points: number; messages: number } => {
    let t = tallies.get(channel);
    if (!t) tallies.set(channel, (t = { label: label(channel), points: 0, messages: 0 }));
    return t;
  };
  const flush = (): void => {
    for (const t of tallies.values()) {
      if (t.points > 0) f.points.inc({ bridge, channel: t.label }, t.points);
      if (t.messages > 0) f.messages.inc({ bridge, channel: t.label }, t.messages);
      t.points = 0;
      t.messages = 0;
    }
  };
  let found = tallied.get(registry);
  if (!found) tallied.set(registry, (found = new Set()));
  const flushes = found;
  flushes.add(flush);
  // The kinds and reasons used per channel, so a closed channel's series can all be removed.
  const extra = new Map<string, Set<string>>();
  // Their labelled children, made once: a source may count a suppressed point per message.
  const children = new Map<string, { inc(value?: number): void }>();
  const child = (what: 'errors' | 'suppressed' | 'dropped', channel: string, value: string): { inc(value?: number): void } => {
    const key = `${what}\u0000${channel}\u0000${value}`;
    let found = children.get(key);
    if (!found) {
      let set = extra.get(channel);
      if (!set) extra.set(channel, (set = new Set()));
      set.add(`${what}\u0000${value}`);
      const labels = { bridge, channel: label(channel) };
      found = what === 'errors' ? f.errors.labels({ ...labels, kind: value }) : (what === 'suppressed' ? f.suppressed : f.dropped).labels({ ...labels, reason: value });
      children.set(key, found);
    }
    return found;
  };
  return {
    bridge,
    release() {
      // A bridge stopped for good (a reload may start another on the same registry): its counts are handed over now.
      flush();
      flushes.delete(flush);
    },
    points(channel, count) {
      tally(channel).points += count;
    },
    messages(channel, count = 1) {
      tally(channel).messages += count;
    },
    error: (channel, kind, count = 1) => child('errors', channel, kind).inc(count),
    suppressed: (channel, reason, count = 1) => child('suppressed', channel, reason).inc(count),
    dropped: (channel, reason, count = 1) => child('dropped', channel, reason).inc(count),
    skipped: (channel) => f.skipped.inc({ bridge, channel: label(channel) }),
    connected: (channel, up) => f.connected.set({ bridge, channel: label(channel) }, up ? 1 : 0),
    forget(channel) {
      if (!labelled.delete(channel)) return;
      tallies.delete(channel);
      for (const metric of [f.points, f.messages, f.skipped, f.connected] as const) metric.remove({ bridge, channel });
      for (const entry of extra.get(channel) ?? []) {
        const [what, value] = entry.split('\u0000') as [string, string];
        children.delete(`${what}\u0000${channel}\u0000${value}`);
        if (what === 'errors') f.errors.remove({ bridge, channel, kind: value });
        else (what === 'suppressed' ? f.suppressed : f.dropped).remove({ bridge, channel, reason: value });
      }
      extra.delete(channel);
    },
  };
}
