import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadMapping } from '@fieldbridge/core';
import { createTestContext, runBridgeCommand, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defineBleBridge } from '../src/bridge.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';
import { createBleSource } from '../src/source.js';
import { ASSETS, ASSETS_NAMESPACE, beaconFleet, eddystoneTlmFrame, eddystoneUidFrame, EXAMPLE_FRAMES, ibeaconFrame, ROOMS, ROOMS_UUID } from './fixtures/beacons/fleet.js';
import { handled, sourceUnderTest } from './helpers/source.js';

// A facility's beacon fleet, 50 iBeacons of one UUID and 20 Eddystone-UID beacons of one
// namespace, nameless on random addresses: two entries map them all, each beacon its own
// channel, its points tagged apart. noble drives the simulated adapter (the lowest layer).
const track = trackCleanups();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const STRANGER = 'c1:00:00:00:00:01';
const LOBBY = ROOMS[0]!;

function started(section: unknown, devices: Parameters<typeof sourceUnderTest>[1]) {
  const s = sourceUnderTest(section, devices);
  track.defer(() => s.source.stop());
  return s;
}

describe('the beacon fleet fixture', () => {
  it('builds the frames written out by hand', () => {
    const room = ROOMS[26]!;
    expect([room.major, room.minor, room.measuredPower]).toEqual([2, 27, -61]);
    expect(hex(ibeaconFrame(ROOMS_UUID, room.major, room.minor, room.measuredPower))).toBe(EXAMPLE_FRAMES.room26);
    const asset = ASSETS[9]!;
    expect(hex(eddystoneUidFrame(ASSETS_NAMESPACE, asset.instance, asset.txPower))).toBe(EXAMPLE_FRAMES.asset9Uid);
    expect(hex(eddystoneTlmFrame(asset.tlm.batteryMv, asset.tlm.temperatureC, asset.tlm.advertCount, asset.tlm.uptimeS))).toBe(EXAMPLE_FRAMES.asset9Tlm);
  });
});

describe('ibeacon_uuid and eddystone_namespace entries', () => {
  const section = {
    devices: [
      { name: 'rooms', ibeacon_uuid: ROOMS_UUID.toUpperCase(), decoder: 'ibeacon' },
      { name: 'assets', eddystone_namespace: `0x${ASSETS_NAMESPACE}`, decoder: 'eddystone' },
      // An address entry wins over a beacon entry.
      { name: 'lobby', address: LOBBY.address, decoder: 'ibeacon' },
    ],
  };
  const stranger = { address: STRANGER, addressType: 'random' as const, advertise: () => ({ manufacturerData: ibeaconFrame('00112233-4455-6677-8899-aabbccddeeff', 1, 1, -59) }) };

  it('take every beacon of the fleet, each on its own channel named and its points tagged by its identity', async () => {
    const { t, sim, source } = started(section, [...beaconFleet({ tlm: true }), stranger]);
    await source.start();
    sim.advertise();
    await handled();

    const channels = Object.keys(t.channels()).filter((c) => c !== 'adapter');
    expect(channels).toHaveLength(50 + 20);
    expect(channels).toContain('lobby');
    expect(await t.metric('fieldbridge_ble_adverts_ignored_total', {})).toBe(1);

    for (const room of ROOMS.slice(1)) {
      const points = t.points.filter((p) => p.tags?.device === 'rooms' && p.tags.minor === String(room.minor));
      expect(points, room.address).toEqual([
        { metric: 'rooms.measured_power', value: room.measuredPower, timestamp: expect.any(Number), class: 'metric', tags: { device: 'rooms', unit: 'dBm', major: String(room.major), minor: String(room.minor) } },
      ]);
      expect(t.channels()[`rooms/${room.major}.${room.minor}`]?.state).toBe('connected');
    }
    const lobby = t.points.filter((p) => p.tags?.address === LOBBY.address);
    expect(lobby.map((p) => [p.metric, p.value, p.tags])).toEqual([['lobby.measured_power', -59, { device: 'lobby', address: LOBBY.address, unit: 'dBm' }]]);
    const told = new Set(t.points.filter((p) => p.tags?.device === 'rooms').map((p) => `${p.tags?.major}/${p.tags?.minor}`));
    expect(told.size).toBe(49);

    for (const asset of ASSETS) {
      const points = t.points.filter((p) => p.tags?.instance === asset.instance);
      expect(points.map((p) => [p.metric, p.value, p.tags]), asset.address).toEqual([['assets.tx_power', asset.txPower, { device: 'assets', unit: 'dBm', instance: asset.instance }]]);
      expect(t.channels()[`assets/${asset.instance}`]?.state).toBe('connected');
    }

    // Their TLM frames carry no identity: they go to the beacon last heard with it from their address, tagged the same.
    sim.advertise();
    await handled();
    for (const asset of ASSETS) {
      const tlm = t.points.filter((p) => p.tags?.instance === asset.instance).slice(1);
      const tags = (unit?: string) => ({ device: 'assets', instance: asset.instance, ...(unit ? { unit } : {}) });
      expect(tlm.map((p) => [p.metric, p.value, p.tags]), asset.address).toEqual([
        ['assets.battery_voltage', 3, tags('V')],
        ['assets.temperature', 21.5, tags('°C')],
        ['assets.advertisement_count', asset.tlm.advertCount, tags()],
        ['assets.uptime', asset.tlm.uptimeS, tags('s')],
      ]);
    }
    expect(await t.metric('fieldbridge_ble_adverts_ignored_total', {})).toBe(2);
  });

  it('track at most max_devices beacons of an entry, and count the others', async () => {
    const { t, sim, source } = started({ devices: [{ name: 'rooms', ibeacon_uuid: ROOMS_UUID, ibeacon_major: 2, decoder: 'ibeacon', max_devices: 10 }] }, beaconFleet());
    await source.start();
    sim.advertise();
    await handled();
    const majors = new Set(t.points.map((p) => p.tags?.major));
    expect([...majors]).toEqual(['2']);
    expect(new Set(t.points.map((p) => p.tags?.minor)).size).toBe(10);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'adapter', kind: 'too_many_devices' })).toBe(15);
  });
});

describe('bridge-ble --scan over a beacon fleet', () => {
  const bare = 'source_id: beacons\nsink: { url: stdout }\nble:\n  adapter: { when_missing: exit }\n';
  const adapter = (): SimulatedBindings => {
    const sim = new SimulatedBindings({ devices: beaconFleet() });
    sim.on('scanStart', () => sim.advertise());
    return sim;
  };
  async function mapping(body: string): Promise<string> {
    const file = join(await track.tempDir('ble-beacons-'), 'map.yaml');
    await writeFile(file, body);
    return file;
  }
  const pasteBlock = (out: string): string => out.slice(out.indexOf('\ndevices:\n') + 1);

  it('offers one entry per UUID and namespace, which pasted passes --check and reads every beacon', async () => {
    const bridge = defineBleBridge({ bindings: adapter });
    const { code, out, err } = await runBridgeCommand(bridge, ['--config', await mapping(bare), '--scan', '1s', '--log-level', 'silent']);
    expect(code, err).toBe(0);
    expect(out).toContain('# 70 devices in 2 entries not mapped yet');
    expect(out).toMatch(/ibeacon_uuid: f7826da6-4fa2-4e98-8024-bc5b71e0893e, decoder: ibeacon \}  # 50 beacons, e\.g\. d0:be:ac:00:01:00 major 1 minor 1: each its own channel whatever address it uses, its points tagged with its major and minor$/m);
    expect((parse(pasteBlock(out)) as { devices: unknown[] }).devices).toEqual([
      { name: 'ibeacon_f7826da6', ibeacon_uuid: ROOMS_UUID, decoder: 'ibeacon' },
      { name: 'eddystone_edd1ebea', eddystone_namespace: ASSETS_NAMESPACE, decoder: 'eddystone' },
    ]);

    const pasted = await mapping(`${bare}${pasteBlock(out).replace(/^(?=.)/gm, '  ')}`);
    const check = await runBridgeCommand(bridge, ['--config', pasted, '--check']);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toContain(`ibeacon_f7826da6: iBeacons of UUID ${ROOMS_UUID} (up to 100 beacons, tagged major and minor) as ibeacon`);
    const t = createTestContext({ bridge: 'ble' });
    const source = createBleSource(loadMapping(pasted, defineBleBridge()).ble, t.ctx, { bindings: adapter });
    await source.start();
    const beacons = (device: string): number => new Set(t.points.filter((p) => p.tags?.device === device).map((p) => p.tags?.minor ?? p.tags?.instance)).size;
    await t.waitFor(() => beacons('ibeacon_f7826da6') === 50 && beacons('eddystone_edd1ebea') === 20, 'points of every beacon');
    await source.stop();
    expect(new Set(t.points.map((p) => p.tags?.minor ?? p.tags?.instance)).size).toBe(70);
  });
});
