import { formatDuration, type BridgeContext, type Channel, type KeyedProblems } from '@fieldbridge/core/bridge';
import type { DataTime } from './_data-time.js';
import { createDeviceFilter } from './_filter.js';
import type { BleMetrics } from './_metrics.js';
import type { LastFrames } from './_repeats.js';
import { SilencedDevices } from './_silenced.js';
import { ADDRESSES_LEFT, channelName, sourceOf, type TrackedDevice } from './_tracked-device.js';
import { leadsFrames } from './beacon-id.js';
import { measurementsToPoints, PointShapes, type BleDecodeProblem, type PointSource } from './decode.js';
import { sharedIdentityKind, splitIdentity, splitKey, type DeviceIdentity } from './identity.js';
import type { ResolvedDevice } from './resolve.js';

/**
 * The mapped devices heard so far, each an optional channel under the adapter's (a tag out of
 * range never makes the bridge unready). A device not heard for its `silent_after_s` is closed,
 * with a `presence` event point (`silent`); heard again, it opens anew with one that says so
 * (`present`). Bounded: an entry that
 * matches by name tracks at most its `max_devices` at once, the rest are counted and ignored.
 * A fleet's beacon is tracked by its identity, and a device matched by name on a changing random
 * address by its name, whatever address it rotates to: one channel, one series, and no false
 * silence at each rotation. Two devices advertising one identity at once are kept apart.
 */
export class DeviceTracker {
  /** By key: an address, or an identity's key. */
  private readonly tracked = new Map<string, TrackedDevice>();
  /** The address each tracked beacon advertises from now, to its key: its frames without identity (Eddystone TLM) are found by it. */
  private readonly beaconAddresses = new Map<string, string>();
  private readonly perEntry = new Map<number, number>();
  /** How often silence is looked for, in ms of data time. */
  readonly sweepEveryMs: number;
  private lastSweepMs: number | undefined;
  /** False while the adapter hears nothing (powered off, resetting, unplugged). */
  private listening = true;
  /** Data time the adapter last began to hear again: silence is counted from here at the earliest. */
  private listeningSinceMs = Number.NEGATIVE_INFINITY;
  /** Devices whose silence was announced, across reloads: heard again, they say they are back. */
  private readonly silenced: SilencedDevices;
  /** Devices the mapping names by address, not heard yet, by address: silent too once unheard for their `silent_after_s` of listening. */
  private readonly awaited = new Map<string, { device: ResolvedDevice; channel: Channel }>();
  /** Data time the adapter first scanned (or the replay's first advert): a device never heard is silent from here. */
  private listeningFirstMs: number | undefined;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly parent: string,
    private readonly devices: readonly ResolvedDevice[],
    private readonly metrics: BleMetrics,
    private readonly problems: KeyedProblems,
    /** What the times given here are: data time (see {@link DataTime}), and the stamps of the `presence` events made for them. */
    private readonly time: DataTime,
    /** The devices' last readings: one that goes silent, heard again, sends its reading again after its `present`. */
    private readonly frames: LastFrames,
  ) {
    const shortest = Math.min(...devices.map((d) => d.silentAfterMs));
    this.sweepEveryMs = Math.min(60_000, Math.max(250, Math.floor(shortest / 4)));
    this.silenced = ctx.acrossReloads('silenced', () => new SilencedDevices());
  }

  /**
   * Opens the channel of each device the mapping names by address, not heard yet (`connecting`):
   * `/readyz` lists it, and `--once` waits for it to deliver; still optional, never a readiness
   * fault. A device matched by name has no channel until one is heard, nor does a GATT device
   * in a replay (`replaying`: the file holds adverts, not connections). One not heard for its
   * `silent_after_s` of listening sends its `presence` event (see {@link sweepAwaited}).
   */
  expectNamed(replaying: boolean): void {
    for (const device of this.devices) {
      if (device.match.by !== 'address' || (replaying && device.decoder === 'gatt')) continue;
      const name = channelName(device, device.match.address);
      const channel = this.ctx.channel(name, { required: false, awaited: true, parent: this.parent });
      channel.set('connecting', 'not heard yet');
      this.awaited.set(device.match.address, { device, channel });
    }
  }

  /** Devices tracked now. */
  get size(): number {
    return this.tracked.size;
  }

  /** Every tracked device. */
  all(): IterableIterator<TrackedDevice> {
    return this.tracked.values();
  }

  /** The channel of the device named by `address` that is not heard yet (see {@link expectNamed}), if it is one. */
  awaitedChannel(address: string): Channel | undefined {
    return this.awaited.get(address)?.channel;
  }

  /** The device tracked by `address` (not a fleet's beacon: see {@link beaconAt}). */
  get(address: string): TrackedDevice | undefined {
    return this.tracked.get(address);
  }

  /**
   * The device of `device`'s entry tracked by `identity` that rotated away from `address`, if
   * any: an advert from there now is either a late one of its own (sent before the rotation,
   * reported after it) or another device's advertising the same identity (see `moved`).
   */
  leftBehind(device: ResolvedDevice, address: string, identity: DeviceIdentity | undefined): TrackedDevice | undefined {
    const entry = identity && this.tracked.get(identity.key);
    return entry && entry.device === device && entry.left.includes(address) ? entry : undefined;
  }

  /** The fleet's Eddystone beacon tracked now whose last advert with its identity came from `address` (see {@link leadsFrames}). */
  beaconAt(address: string): TrackedDevice | undefined {
    const key = this.beaconAddresses.get(address);
    return key === undefined ? undefined : this.tracked.get(key);
  }

  /**
   * The tracked device heard from `address` under `device`, opening its channel when it is new
   * (state `connected` for adverts, `connecting` for a GATT link about to be made), and marks it
   * heard at `t`. `identity`, when its address may change (a fleet's beacon, a name on a
   * random address): what it is tracked by instead of the address (the address is remembered
   * for its frames without identity, see {@link beaconAt}); one split off from another device
   * advertising it is found by its address too. Undefined when the entry already tracks its
   * `max_devices`.
   */
  track(device: ResolvedDevice, address: string, t: number, name?: string, state: 'connected' | 'connecting' = 'connected', identity?: DeviceIdentity): TrackedDevice | undefined {
    const apart = identity && this.tracked.get(splitKey(identity.key, address));
    if (apart && apart.device === device) identity = apart.identity;
    const key = identity?.key ?? address;
    let entry = this.tracked.get(key);
    if (!entry || entry.device !== device) {
      entry = this.open(device, key, address, t, name, state, identity);
      if (!entry) return undefined;
    } else {
      if (identity && address !== entry.address) this.moved(entry, address);
      if (entry.channel.state() !== 'connected' && state === 'connected' && !entry.linked && entry.device.decoder !== 'gatt') entry.channel.set('connected');
    }
    if (t > entry.lastHeardMs) entry.lastHeardMs = t;
    if (name !== undefined && name !== entry.name) {
      entry.name = name;
      entry.shapes = new PointShapes();
    }
    return entry;
  }

  /** Opens the channel of a device not tracked yet under `key`; undefined when its entry already tracks its `max_devices`. */
  private open(device: ResolvedDevice, key: string, address: string, t: number, name: string | undefined, state: 'connected' | 'connecting', identity: DeviceIdentity | undefined): TrackedDevice | undefined {
    const count = this.perEntry.get(device.index) ?? 0;
    if (count >= device.maxDevices) {
      const what = identity?.kind === 'beacon' ? `beacon ${identity.label} (at ${address})` : `${address} (${name ?? 'no name'})`;
      this.ctx.metrics.error(this.parent, 'too_many_devices');
      this.problems.report(this.parent, 'too_many_devices', `${device.name} already tracks ${device.maxDevices} devices (max_devices); ${what} is ignored until one goes silent`);
      return undefined;
    }
    const replaced = this.tracked.get(key);
    if (replaced) this.forget(replaced);
    this.awaited.delete(key);
    this.perEntry.set(device.index, count + 1);
    const channel = this.ctx.channel(channelName(device, address, identity), { required: false, parent: this.parent });
    const heard = `heard${name ? ` as ${name}` : ''}${identity ? ` at ${address}` : ''}`;
    channel.set(state, state === 'connected' ? heard : undefined);
    const entry: TrackedDevice = { device, key, address, channel, name, identity, left: [], lastHeardMs: t, linked: false, triggerBased: false, filter: createDeviceFilter(device), shapes: new PointShapes(), withoutData: 0 };
    this.tracked.set(key, entry);
    if (identity && leadsFrames(key)) this.beaconAddresses.set(address, key);
    this.metrics.devices.set(this.tracked.size);
    // Its presence series said `silent`: without this it would go on saying so while the device is back.
    if (this.silenced.takeBack(key)) this.emitPresence(channel, sourceOf(entry, this.time.stampOf(t)), 'present');
    return entry;
  }

  /**
   * A device tracked by its identity heard from another address. A new one: it rotated its
   * random address (logged at debug level, counted), and the old one no longer leads to it. One
   * it left: addresses do not come back, so two devices advertise the identity at once.
   */
  private moved(entry: TrackedDevice, address: string): void {
    const previous = entry.address;
    const back = entry.left.indexOf(address);
    if (back >= 0) entry.left.splice(back, 1);
    else if (entry.left.push(previous) > ADDRESSES_LEFT) entry.left.shift();
    if (this.beaconAddresses.get(previous) === entry.key) this.beaconAddresses.delete(previous);
    if (leadsFrames(entry.key)) this.beaconAddresses.set(address, entry.key);
    entry.address = address;
    if (back >= 0) return this.keepApart(entry, previous, address);
    this.metrics.addressChanges.inc();
    this.ctx.logger.debug({ device: entry.device.name, channel: entry.channel.name, address, previous }, `${entry.channel.name} now advertises from ${address} (was ${previous})`);
  }

  /**
   * Two devices advertise `entry`'s identity at once (a cloned beacon configuration, two
   * devices of one name): `entry` stays with the one at `stays`, heard again from an address it
   * had left, and the one at
   * `newcomer` goes on as a device of its own, tracked and tagged by its address, so their
   * points never mix again and none is lost. Counted each time, said once while `entry` is heard.
   */
  private keepApart(entry: TrackedDevice, newcomer: string, stays: string): void {
    const identity = entry.identity!;
    const kind = sharedIdentityKind(identity);
    const at = entry.channel.name;
    this.ctx.metrics.error(at, kind);
    const apart = splitIdentity(identity, newcomer);
    const other = this.open(entry.device, apart.key, newcomer, entry.lastHeardMs, entry.name, 'connected', apart);
    const who = identity.kind === 'beacon' ? 'beacons' : 'devices';
    const kept = other ? `their points are kept apart: the one at ${newcomer} goes on as ${other.channel.name}, tagged address=${newcomer}` : `the one at ${newcomer} cannot be kept apart (max_devices)`;
    const fix =
      identity.kind === 'beacon'
        ? `A cloned beacon configuration? Give each beacon its own ${identity.tags.instance === undefined ? 'major and minor' : 'instance'}, or map each by address`
        : 'Match each by address, or by an identity it advertises in its data (ibeacon_uuid, eddystone_namespace), or give each its own name';
    this.ctx.problems.report(`ble.${at}.${kind}`, `${at}: two ${who} advertise ${identity.text} at once, from ${stays} and ${newcomer}; ${kept}. ${fix}`, { device: entry.device.name, addresses: [stays, newcomer] });
  }

  /**
   * The adapter stopped hearing (`false`: powered off, resetting, unplugged) or hears again from
   * `nowMs` (`true`). While it hears nothing no device is judged silent, since the silence is the
   * adapter's; once it hears again, each device has its whole `silent_after_s` from then.
   */
  setListening(listening: boolean, nowMs: number): void {
    if (listening) this.listeningFirstMs ??= nowMs;
    if (listening && !this.listening) this.listeningSinceMs = nowMs;
    this.listening = listening;
  }

  /** Looks for silent devices when `nowMs` (data time) is a sweep interval past the last look. */
  maybeSweep(nowMs: number): void {
    // An advert was heard: the adapter (or the replay) listens.
    this.listeningFirstMs ??= nowMs;
    if (this.lastSweepMs !== undefined && nowMs - this.lastSweepMs < this.sweepEveryMs) return;
    this.sweep(nowMs);
  }

  /**
   * Closes every device (not linked over GATT) unheard for its `silent_after_s` at `nowMs`, each
   * with a `presence` event; nothing while the adapter hears nothing (see {@link setListening}).
   * A trigger-based BTHome device (see {@link TrackedDevice.triggerBased}) only by a
   * `silent_after_s` of its own entry: a default is no measure of how long a button goes unpressed.
   */
  sweep(nowMs: number): void {
    if (!this.listening) return;
    this.lastSweepMs = nowMs;
    for (const entry of this.tracked.values()) {
      if (entry.linked || (entry.triggerBased && !entry.device.silentAfterGiven) || nowMs - Math.max(entry.lastHeardMs, this.listeningSinceMs) < entry.device.silentAfterMs) continue;
      const silentFor = formatDuration(Math.round((nowMs - entry.lastHeardMs) / 1000) * 1000);
      this.emitPresence(entry.channel, sourceOf(entry, this.time.stampOf(nowMs)), 'silent');
      this.forget(entry);
      this.silenced.add(entry.key);
      entry.channel.close(`not heard for ${silentFor} (silent_after_s ${formatDuration(entry.device.silentAfterMs)})`);
    }
    this.sweepAwaited(nowMs);
  }

  /**
   * A device the mapping names by address that was never heard, for its `silent_after_s` of
   * listening: its `presence` event says `silent` as a device's that went unheard does (a tag
   * whose battery died while the bridge was down would otherwise never say so), once, also
   * across reloads; heard
   * later, it says `present`. Its channel stays, awaited, saying for how long it was not heard.
   */
  private sweepAwaited(nowMs: number): void {
    if (this.listeningFirstMs === undefined) return;
    const since = Math.max(this.listeningFirstMs, this.listeningSinceMs);
    for (const [address, { device, channel }] of this.awaited) {
      if (nowMs - since < device.silentAfterMs) continue;
      this.awaited.delete(address);
      // Said before a reload already: its presence series says silent.
      if (!this.silenced.has(address)) this.emitPresence(channel, { device, address, t: this.time.stampOf(nowMs) }, 'silent');
      this.silenced.add(address);
      channel.set('connecting', `not heard in ${formatDuration(Math.round((nowMs - since) / 1000) * 1000)} of listening (silent_after_s ${formatDuration(device.silentAfterMs)})`);
    }
  }

  /** A device's `presence` event on its channel: `silent` when it goes unheard, `present` when heard again after that. */
  private emitPresence(channel: Channel, from: PointSource, value: 'silent' | 'present'): void {
    const problems: BleDecodeProblem[] = [];
    const points = measurementsToPoints([{ measurement: 'presence', value }], from, problems);
    if (this.ctx.flow.blocked()) this.ctx.metrics.dropped(channel.name, 'blocked', points.length);
    else this.ctx.emit(channel, points);
  }

  private forget(entry: TrackedDevice): void {
    this.tracked.delete(entry.key);
    this.frames.set(entry.key, undefined);
    if (this.beaconAddresses.get(entry.address) === entry.key) this.beaconAddresses.delete(entry.address);
    this.problems.clean(entry.channel.name);
    if (entry.identity && entry.identity.at === undefined) this.ctx.problems.resolve(`ble.${entry.channel.name}.${sharedIdentityKind(entry.identity)}`, `${entry.channel.name} is no longer heard: another device advertising ${entry.identity.text} is taken as the same device again`);
    const count = (this.perEntry.get(entry.device.index) ?? 1) - 1;
    if (count > 0) this.perEntry.set(entry.device.index, count);
    else this.perEntry.delete(entry.device.index);
    this.metrics.devices.set(this.tracked.size);
  }
}
