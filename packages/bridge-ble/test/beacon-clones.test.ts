import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { ASSETS_NAMESPACE, eddystoneTlmFrame, eddystoneUidFrame, ibeaconFrame, ROOMS_UUID } from './fixtures/beacons/fleet.js';
import { handled, sourceUnderTest } from './helpers/source.js';

// Two beacons configured with one identity (a cloned configuration: a common installer mistake)
// must not read as one beacon whose values jump: they are reported, once, and kept apart by
// address. noble drives the simulated adapter (the lowest layer).
const track = trackCleanups();
const FIRST = 'd0:be:ac:00:01:01';
const SECOND = 'd0:be:ac:00:01:02';

function started(section: unknown, devices: SimulatedDevice[]) {
  const s = sourceUnderTest(section, devices);
  track.defer(() => s.source.stop());
  return s;
}

const deviceChannels = (channels: Record<string, unknown>): string[] => Object.keys(channels).filter((c) => c !== 'adapter');
const rooms = { devices: [{ name: 'rooms', ibeacon_uuid: ROOMS_UUID, decoder: 'ibeacon' }] };
const ibeacon = (address: string, measuredPower: number): SimulatedDevice => ({ address, addressType: 'random', advertise: () => ({ manufacturerData: ibeaconFrame(ROOMS_UUID, 3, 7, measuredPower) }) });

describe('two beacons advertising one identity', () => {
  it('are reported once, naming both addresses and the identity, and their points kept apart without losing any', async () => {
    const { t, sim, source } = started(rooms, [ibeacon(FIRST, -59), ibeacon(SECOND, -70)]);
    await source.start();
    for (let round = 0; round < 4; round++) {
      sim.advertise(FIRST);
      await handled();
      sim.advertise(SECOND);
      await handled();
    }

    const reports = t.problems.filter((p) => p.key === 'ble.rooms/3.7.cloned_beacon');
    expect(reports.map((p) => [p.kind, p.logged])).toEqual([['report', true]]);
    expect(reports[0]?.message).toBe(
      `rooms/3.7: two beacons advertise iBeacon ${ROOMS_UUID} major 3 minor 7 at once, from ${FIRST} and ${SECOND}; their points are kept apart: the one at ${SECOND} goes on as rooms/3.7@${SECOND}, tagged address=${SECOND}. A cloned beacon configuration? Give each beacon its own major and minor, or map each by address`,
    );
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'rooms/3.7', kind: 'cloned_beacon' })).toBe(1);
    expect(deviceChannels(t.channels()).sort()).toEqual(['rooms/3.7', `rooms/3.7@${SECOND}`]);
    // Eight adverts, eight points. The second beacon's first advert cannot be told from a
    // rotation yet; once the first is heard again, each beacon has its own series.
    const identity = { device: 'rooms', unit: 'dBm', major: '3', minor: '7' };
    expect(t.points.map((p) => [p.value, p.tags])).toEqual([
      [-59, identity],
      [-70, identity],
      ...[1, 2, 3].flatMap(() => [
        [-59, identity],
        [-70, { ...identity, address: SECOND }],
      ]),
    ]);
    // Not rotations: the beacon at FIRST never left.
    expect(await t.metric('fieldbridge_ble_address_changes_total', {})).toBe(1);
  });

  it('an Eddystone clone\'s TLM frames go to the clone, found by its address', async () => {
    let frame: 'uid' | 'tlm' = 'uid';
    const eddystone = (address: string, adverts: number): SimulatedDevice => ({
      address,
      addressType: 'random',
      advertise: () => ({ serviceData: [{ uuid: 'feaa', data: frame === 'uid' ? eddystoneUidFrame(ASSETS_NAMESPACE, 'a55e70000001', -20) : eddystoneTlmFrame(3000, 21.5, adverts, 60) }], serviceUuids: ['feaa'] }),
    });
    const { t, sim, source } = started({ devices: [{ name: 'assets', eddystone_namespace: ASSETS_NAMESPACE, decoder: 'eddystone' }] }, [eddystone(FIRST, 1001), eddystone(SECOND, 2002)]);
    await source.start();
    for (const address of [FIRST, SECOND, FIRST]) {
      sim.advertise(address);
      await handled();
    }
    frame = 'tlm';
    for (const address of [FIRST, SECOND]) {
      sim.advertise(address);
      await handled();
    }

    expect(t.problems.filter((p) => p.key === 'ble.assets/a55e70000001.cloned_beacon').map((p) => p.message)).toEqual([expect.stringContaining('Give each beacon its own instance, or map each by address')]);
    const counts = t.points.filter((p) => p.metric === 'assets.advertisement_count').map((p) => [p.value, p.tags]);
    expect(counts).toEqual([
      [1001, { device: 'assets', instance: 'a55e70000001' }],
      [2002, { device: 'assets', instance: 'a55e70000001', address: SECOND }],
    ]);
  });
});
