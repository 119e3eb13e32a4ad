import { formatDuration, type BridgeContext, type KeyedProblems, type Point } from '@fieldbridge/core/bridge';
import type { Advert } from './advert/advert.js';
import type { DataTime } from './_data-time.js';
import { beaconIdentity, beaconIdOf } from './beacon-id.js';
import type { BleMetrics } from './_metrics.js';
import { countedFrame, type LastFrames } from './_repeats.js';
import { NO_DATA_ADVERTS, noDataMessage } from './_no-data.js';
import type { TrackedDevice } from './_tracked-device.js';
import type { DeviceTracker } from './_tracker.js';
import { decodeAdvertPoints, decodeReadingPoints, type AdvertPoints, type BlePoints } from './decode.js';
import type { CounterRestart } from './decode/bthome-counter.js';
import type { BthomeState } from './decode/bthome-state.js';
import type { GattEvent, GattReading } from './gatt/gatt-types.js';
import { followedName } from './identity.js';
import { createMatcher } from './match.js';
import type { RecordWriter } from './record/record-writer.js';
import { matchesBeacons, type ResolvedDevice } from './resolve.js';

/** Where adverts, GATT values and GATT events go once heard. */
export interface Router {
  /** One advert, from the adapter or a replay file. */
  advert(advert: Advert): void;
  reading(reading: GattReading): void;
  gattEvent(event: GattEvent): void;
}

/** What the router works with. */
export interface RouterParts {
  ctx: BridgeContext;
  devices: readonly ResolvedDevice[];
  /** The adapter's (or the replay's) channel: problems that belong to no device go there. */
  parent: string;
  metrics: BleMetrics;
  tracker: DeviceTracker;
  problems: KeyedProblems;
  state: BthomeState;
  /** The last reading of each device whose format counts its readings (ATC, pvvx, Ruuvi). */
  frames: LastFrames;
  /** What silence and the change filters are measured in (see {@link DataTime}). */
  time: DataTime;
  /** The record file, when recording. */
  record(): RecordWriter | undefined;
}

/** Says, once per restart, that a sensor's lower counters were taken as its new baseline. */
function warnCounterRestart(ctx: BridgeContext, tracked: TrackedDevice, r: CounterRestart): void {
  const { device, address } = tracked;
  const refused = `${r.refused} ${r.refused === 1 ? 'advert' : 'adverts'}`;
  ctx.logger.warn(
    { device: device.name, address, counter: r.counter, from: r.from, previous: r.previous, refused: r.refused },
    `${device.name} (${address}) ${device.decoder}: the encryption counter restarted (battery change?): counter ${r.counter} is the new baseline; the counters rose from ${r.from} for ${formatDuration(Math.round(r.afterMs / 1000) * 1000)} below the last accepted ${r.previous}, with none above it (${refused} refused meanwhile as replayed_counter)`,
  );
}

/**
 * The hot path: record the advert (when asked), find its device entry (an advert nobody mapped
 * costs a lookup and a counter), track the device, decode, count and report problems per device
 * and kind (`no_data` once a device's adverts carried nothing its decoder reads many times in a
 * row), hold back what `max_rate_hz`, `on_change` and `max_interval` say, and emit once per
 * advert. Adverts cannot wait, so while the sink is blocked their points are counted as dropped.
 */
export function createRouter(parts: RouterParts): Router {
  const { ctx, metrics, tracker, problems, state, frames, time } = parts;
  const matcher = createMatcher(parts.devices);
  const gattDevices = new Map(parts.devices.filter((d) => d.decoder === 'gatt').map((d) => [d.name, d]));

  const admit = (tracked: TrackedDevice, result: BlePoints, at: number): Point[] => {
    const filter = tracked.filter;
    if (!filter) return result.points;
    const kept: Point[] = [];
    for (const point of result.points) {
      const verdict = filter.admit(point, result.events?.has(point) === true, at);
      if (verdict === 'pass') kept.push(point);
      else ctx.metrics.suppressed(tracked.channel.name, verdict);
    }
    return kept;
  };

  /** `at`: the data time it was heard, for the change filter. */
  const deliver = (tracked: TrackedDevice, result: AdvertPoints, at: number): void => {
    const name = tracked.channel.name;
    for (const p of result.problems) {
      ctx.metrics.error(name, p.kind);
      problems.report(name, p.kind, p.message, { device: p.device, address: p.address });
    }
    if (result.duplicate) {
      metrics.duplicates.inc();
      return;
    }
    if (result.counterRestart) warnCounterRestart(ctx, tracked, result.counterRestart);
    if (result.problems.length === 0) problems.clean(name);
    const points = admit(tracked, result, at);
    if (points.length === 0) return;
    if (ctx.flow.blocked()) ctx.metrics.dropped(name, 'blocked', points.length);
    else ctx.emit(tracked.channel, points);
  };

  // One advert without data for the decoder is no problem (formats take turns), and it says
  // nothing about the device's health, so it neither reports nor ends an episode; many in a
  // row mean the decoder does not fit the device, which would otherwise give no sign at all.
  const noData = (tracked: TrackedDevice, advert: Advert): void => {
    tracked.withoutData += 1;
    if (tracked.withoutData < NO_DATA_ADVERTS) return;
    const name = tracked.channel.name;
    ctx.metrics.error(name, 'no_data');
    problems.report(name, 'no_data', noDataMessage(tracked.device, advert), { device: tracked.device.name, address: advert.address });
  };

  /** The GATT device entry `name` and its address (GATT devices are matched by address). */
  const gattDevice = (name: string): { device: ResolvedDevice; address: string } | undefined => {
    const device = gattDevices.get(name);
    return device?.match.by === 'address' ? { device, address: device.match.address } : undefined;
  };

  /** The tracked GATT device `name`, heard at `t` (a value read, a connection made): opened (as `connecting`) when it is not tracked. */
  const gattTracked = (name: string, t: number): TrackedDevice | undefined => {
    const found = gattDevice(name);
    if (!found) return undefined;
    return tracker.get(found.address) ?? tracker.track(found.device, found.address, t, undefined, 'connecting');
  };

  return {
    advert(advert) {
      const writer = parts.record();
      if (writer) (writer.write(advert) ? metrics.recorded : metrics.recordDropped).inc();
      const id = matcher.beacons ? beaconIdOf(advert) : undefined;
      // A beacon's frames without its identity (Eddystone TLM, a scan response) belong to the beacon last heard with it from their address.
      const found = matcher.match(advert);
      const heardBefore = found || !matcher.beacons || id !== undefined ? undefined : tracker.beaconAt(advert.address);
      const device = found ?? heardBefore?.device;
      if (!device) {
        metrics.ignored.inc();
        return;
      }
      // A fleet's beacon is tracked by its identity, and a name on a changing address by the name, whatever address it advertises from.
      const identity = id !== undefined && matchesBeacons(device.match) ? beaconIdentity(id) : (heardBefore?.identity ?? followedName(device.match, advert));
      const at = time.of(advert.t);
      const frame = countedFrame(device.decoder, advert);
      // The reading the device sent last, from an address it rotated away from: a late advert of
      // its burst, not a second device advertising its name (which would split it off and send
      // the reading again). Another device's reading differs (its MAC in the data, its counter).
      const late = frame && tracker.leftBehind(device, advert.address, identity);
      if (late && frames.repeats(late.key, frame)) {
        ctx.metrics.messages(late.channel.name);
        metrics.duplicates.inc();
        return;
      }
      const tracked = tracker.track(device, advert.address, at, advert.name, device.decoder === 'gatt' ? 'connecting' : 'connected', identity);
      tracker.maybeSweep(at);
      if (!tracked) return;
      ctx.metrics.messages(tracked.channel.name);
      // The same reading advertised again (ATC, pvvx, Ruuvi): a repeat, as BTHome's same packet id is.
      if (frame && frames.repeats(tracked.key, frame)) {
        tracked.withoutData = 0;
        metrics.duplicates.inc();
        return;
      }
      // Adverts cannot wait: while the sink is blocked their points are dropped. A BTHome reading
      // so dropped is read again from its next copy (its packet id or counter is not taken), as
      // an ATC, pvvx or Ruuvi one is (below).
      const unhold = device.decoder === 'bthome' && ctx.flow.blocked() ? state.hold(advert.address) : undefined;
      const result = decodeAdvertPoints(advert, device, state, tracked.shapes, tracked.identity);
      unhold?.();
      if (result.noData) return noData(tracked, advert);
      tracked.withoutData = 0;
      if (result.triggerBased !== undefined) tracked.triggerBased = result.triggerBased;
      // Only a clean frame whose points go is remembered: a bad one sent again is counted again,
      // and one dropped while the sink is blocked is read again from its next copy.
      if (frame) frames.set(tracked.key, result.problems.length === 0 && !ctx.flow.blocked() ? frame : undefined);
      deliver(tracked, result, at);
    },

    reading(reading) {
      const at = time.of(reading.t);
      const tracked = gattTracked(reading.device, at);
      if (!tracked) return;
      const characteristic = tracked.device.characteristics.find((c) => c.uuid === reading.characteristic && (c.service === undefined || c.service === reading.service));
      if (!characteristic) return;
      if (at > tracked.lastHeardMs) tracked.lastHeardMs = at;
      ctx.metrics.messages(tracked.channel.name);
      deliver(tracked, decodeReadingPoints(reading, tracked.device, characteristic, tracked.name, tracked.shapes), at);
    },

    gattEvent(event) {
      if (event.type === 'warning') return ctx.logger.warn({ device: event.device }, `${event.device}: ${event.message}`);
      const found = gattDevice(event.device);
      if (!found) return;
      const now = time.now();
      // Only a connection made hears the device: an attempt that fails (out of range) neither
      // opens again the channel of a device gone silent, saying it is present, nor keeps one from
      // going silent. Until then its failures go to the channel it has, if any (awaited at start).
      const tracked = event.type === 'connected' ? gattTracked(event.device, now) : tracker.get(found.address);
      const channel = tracked?.channel ?? tracker.awaitedChannel(found.address);
      const name = channel?.name ?? found.device.name;
      switch (event.type) {
        case 'connecting':
          return;
        case 'connected':
          if (!tracked) return;
          tracked.linked = true;
          tracked.lastHeardMs = Math.max(tracked.lastHeardMs, now);
          tracked.channel.set('connected');
          problems.clean(tracked.channel.name);
          return;
        case 'disconnected':
          if (tracked) tracked.linked = false;
          channel?.set('disconnected', `${event.reason}; reconnecting in ${event.retryInMs} ms`);
          return;
        case 'connect_failed':
          if (tracked) tracked.linked = false;
          ctx.metrics.error(name, 'connect_failed');
          problems.report(name, 'connect_failed', `${event.error.message}; retrying in ${event.retryInMs} ms`, { device: event.device });
          channel?.set('disconnected', event.error.message);
          return;
        case 'missing':
          ctx.metrics.error(name, 'missing_characteristic');
          problems.report(name, 'missing_characteristic', event.message, { device: event.device });
          return;
        case 'read_failed':
          ctx.metrics.error(name, 'read_failed');
          problems.report(name, 'read_failed', `${event.device}: reading ${event.characteristic} failed (${event.message}); reconnecting`, { device: event.device });
          return;
      }
    },
  };
}
