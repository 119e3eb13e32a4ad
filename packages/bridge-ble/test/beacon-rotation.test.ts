import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { ASSETS_NAMESPACE, eddystoneTlmFrame, eddystoneUidFrame, ibeaconFrame, ROOMS_UUID } from './fixtures/beacons/fleet.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { handled, sourceUnderTest, T0 } from './helpers/source.js';

// Phones acting as iBeacons and asset tags with privacy on advertise from a random address they
// rotate (every ~15 minutes): a fleet entry tracks each beacon by its identity, so a rotation is
// neither a new device nor a silence. noble drives the simulated adapter (the lowest layer); the
// test moves the adverts' clock and the sweep timers by hand.
const track = trackCleanups();
const SILENT_MS = 60_000;
/** The sweep's period for silent_after_s 60 (a quarter of it). */
const SWEEP_MS = 15_000;
/** Time at each address: 4 of them span longer than silent_after_s. */
const STAY_MS = 45_000;

function started(section: unknown, devices: SimulatedDevice[]) {
  const timers = new ManualTimers();
  const s = sourceUnderTest(section, devices, { timers });
  track.defer(() => s.source.stop());
  return { ...s, timers };
}

/** Four random addresses one device advertises from in turn. */
const addresses = (stem: string): string[] => [1, 2, 3, 4].map((i) => `${stem}:00:00:0${i}`);

/** One iBeacon at each of `at`: the same beacon, its random address rotated (the test advertises one address at a time). */
function ibeaconAt(at: readonly string[], major: number, minor: number): SimulatedDevice[] {
  return at.map((address) => ({ address, addressType: 'random', advertise: () => ({ manufacturerData: ibeaconFrame(ROOMS_UUID, major, minor, -59) }) }));
}

const rooms = { silent_after_s: SILENT_MS / 1000, devices: [{ name: 'rooms', ibeacon_uuid: ROOMS_UUID, decoder: 'ibeacon' }] };
const beaconTags = (major: number, minor: number) => ({ device: 'rooms', unit: 'dBm', major: String(major), minor: String(minor) });
const deviceChannels = (channels: Record<string, unknown>): string[] => Object.keys(channels).filter((c) => c !== 'adapter');

describe('a fleet entry tracks each beacon by its identity, whatever address it advertises from', () => {
  it('keeps one channel and one series of points, without a silent event, for a beacon whose address rotates three times', async () => {
    const phone = addresses('5a:11:00');
    const { t, sim, source, setNow, timers } = started(rooms, ibeaconAt(phone, 3, 7));
    await source.start();
    for (const [k, address] of phone.entries()) {
      setNow(T0 + k * STAY_MS);
      sim.advertise(address);
      await handled();
      // Just before the next rotation: each address before this one was last heard more than silent_after_s ago.
      setNow(T0 + (k + 1) * STAY_MS - 1);
      timers.advance(SWEEP_MS);
    }

    expect(deviceChannels(t.channels())).toEqual(['rooms/3.7']);
    expect(t.states.filter((s) => s.channel === 'rooms/3.7').map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(t.points.map((p) => [p.metric, p.value, p.timestamp, p.tags])).toEqual(phone.map((_, k) => ['rooms.measured_power', -59, T0 + k * STAY_MS, beaconTags(3, 7)]));
    expect(await t.metric('fieldbridge_ble_devices', {})).toBe(1);
    // The address it uses now is not in its points, but the source says it.
    expect(source.devices()).toEqual([{ channel: 'rooms/3.7', device: 'rooms', address: phone[3], state: 'connected', lastHeardMs: T0 + 3 * STAY_MS }]);
  });

  it('still closes a beacon that truly stops, with one silent event tagged with its identity', async () => {
    const phone = addresses('5a:11:00');
    const { t, sim, source, setNow, timers } = started(rooms, ibeaconAt(phone, 3, 7));
    await source.start();
    sim.advertise(phone[0]);
    await handled();
    setNow(T0 + STAY_MS);
    sim.advertise(phone[1]);
    await handled();
    // It stops: silent_after_s after its last advert, not before.
    setNow(T0 + STAY_MS + SILENT_MS - 1);
    timers.advance(SWEEP_MS);
    expect(t.channels()['rooms/3.7']?.state).toBe('connected');
    setNow(T0 + STAY_MS + SILENT_MS);
    timers.advance(SWEEP_MS);

    const silent = t.points.filter((p) => p.value === 'silent');
    expect(silent).toEqual([{ metric: 'rooms.presence', value: 'silent', timestamp: T0 + STAY_MS + SILENT_MS, tags: { device: 'rooms', major: '3', minor: '7' } }]);
    expect(deviceChannels(t.channels())).toEqual([]);
    expect(t.states.filter((s) => s.channel === 'rooms/3.7').map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
    expect(await t.metric('fieldbridge_ble_devices', {})).toBe(0);
  });

  it('names a nameless beacon by its identity in {name}, so its metric does not change with its address', async () => {
    const phone = addresses('5a:11:00');
    const { t, sim, source } = started({ devices: [{ ...rooms.devices[0], metric: 'beacon.{name}.{measurement}' }] }, ibeaconAt(phone, 3, 7));
    await source.start();
    for (const address of phone.slice(0, 2)) {
      sim.advertise(address);
      await handled();
    }
    expect(t.points.map((p) => p.metric)).toEqual(['beacon.3.7.measured_power', 'beacon.3.7.measured_power']);
  });

  it('counts beacons, not addresses, against max_devices', async () => {
    const a = addresses('5a:11:00');
    const b = addresses('6b:22:00');
    const c = '7c:33:00:00:00:01';
    const section = { devices: [{ ...rooms.devices[0], max_devices: 2 }] };
    const { t, sim, source } = started(section, [...ibeaconAt(a, 3, 7), ...ibeaconAt(b, 3, 8), ...ibeaconAt([c], 3, 9)]);
    await source.start();
    for (let k = 0; k < 4; k++) {
      sim.advertise(a[k]);
      sim.advertise(b[k]);
      await handled();
    }
    sim.advertise(c);
    await handled();

    expect(deviceChannels(t.channels())).toEqual(['rooms/3.7', 'rooms/3.8']);
    expect(t.points.filter((p) => p.tags?.minor === '7')).toHaveLength(4);
    expect(t.points.filter((p) => p.tags?.minor === '8')).toHaveLength(4);
    expect(t.points.filter((p) => p.tags?.minor === '9')).toEqual([]);
    // Only the third beacon is refused, once.
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'adapter', kind: 'too_many_devices' })).toBe(1);
    expect(t.problems.filter((p) => p.key === 'ble.adapter.too_many_devices').map((p) => p.message)).toEqual([`rooms already tracks 2 devices (max_devices); beacon 3.9 (at ${c}) is ignored until one goes silent`]);
  });

  it('takes an Eddystone beacon\'s TLM frames from the address it uses now, not from one it left', async () => {
    // Two asset tags, each sending a UID frame then a TLM frame from each of its addresses in turn.
    const tags = [
      { instance: 'a55e70000001', at: addresses('e4:01:00'), adverts: 1001 },
      { instance: 'a55e70000002', at: addresses('e4:02:00'), adverts: 1002 },
    ];
    let frame: 'uid' | 'tlm' = 'uid';
    const devices = tags.flatMap((tag) =>
      tag.at.map((address): SimulatedDevice => ({
        address,
        addressType: 'random',
        advertise: () => ({ serviceData: [{ uuid: 'feaa', data: frame === 'uid' ? eddystoneUidFrame(ASSETS_NAMESPACE, tag.instance, -20) : eddystoneTlmFrame(3000, 21.5, tag.adverts, 60) }], serviceUuids: ['feaa'] }),
      })),
    );
    const { t, sim, source } = started({ devices: [{ name: 'assets', eddystone_namespace: ASSETS_NAMESPACE, decoder: 'eddystone' }] }, devices);
    await source.start();
    for (let k = 0; k < 4; k++) {
      frame = 'uid';
      for (const tag of tags) sim.advertise(tag.at[k]);
      await handled();
      frame = 'tlm';
      for (const tag of tags) sim.advertise(tag.at[k]);
      // A TLM frame from the address it used before: someone else's now, or nobody's.
      if (k > 0) sim.advertise(tags[0]!.at[k - 1]);
      await handled();
    }

    expect(deviceChannels(t.channels())).toEqual(tags.map((tag) => `assets/${tag.instance}`));
    for (const tag of tags) {
      const counts = t.points.filter((p) => p.metric === 'assets.advertisement_count' && p.tags?.instance === tag.instance);
      expect(counts.map((p) => [p.value, p.tags])).toEqual(tag.at.map(() => [tag.adverts, { device: 'assets', instance: tag.instance }]));
      const battery = t.points.filter((p) => p.metric === 'assets.battery_voltage' && p.tags?.instance === tag.instance);
      expect(battery.map((p) => p.tags)).toEqual(tag.at.map(() => ({ device: 'assets', instance: tag.instance, unit: 'V' })));
    }
    expect(await t.metric('fieldbridge_ble_adverts_ignored_total', {})).toBe(3);
  });

  it('a multi-slot beacon (iBeacon, Eddystone-UID and TLM frames from one address) sends its TLM to its Eddystone entry, whichever frame came last', async () => {
    const address = 'c3:00:00:00:00:01';
    let slot: 'uid' | 'ibeacon' | 'tlm' = 'uid';
    const beacon: SimulatedDevice = {
      address,
      addressType: 'random',
      advertise: () =>
        slot === 'ibeacon'
          ? { manufacturerData: ibeaconFrame(ROOMS_UUID, 2, 27, -59) }
          : { serviceData: [{ uuid: 'feaa', data: slot === 'uid' ? eddystoneUidFrame(ASSETS_NAMESPACE, 'a55e70000009', -20) : eddystoneTlmFrame(2900, 20, 77, 10) }], serviceUuids: ['feaa'] },
    };
    const section = { devices: [{ name: 'rooms', ibeacon_uuid: ROOMS_UUID, decoder: 'ibeacon' }, { name: 'assets', eddystone_namespace: ASSETS_NAMESPACE, decoder: 'eddystone' }] };
    const { t, sim, source } = started(section, [beacon]);
    await source.start();
    for (const next of ['uid', 'ibeacon', 'tlm'] as const) {
      slot = next;
      sim.advertise(address);
      await handled();
    }
    expect(deviceChannels(t.channels()).sort()).toEqual(['assets/a55e70000009', 'rooms/2.27']);
    expect(t.points.filter((p) => p.metric === 'assets.battery_voltage').map((p) => [p.value, p.tags])).toEqual([[2.9, { device: 'assets', instance: 'a55e70000009', unit: 'V' }]]);
  });
});
