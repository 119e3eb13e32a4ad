import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadMapping } from '@fieldbridge/core';
import { createTestContext, runBridgeCommand, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defineBleBridge } from '../src/bridge.js';
import { bleConfigSchema } from '../src/config.js';
import { createMatcher } from '../src/match.js';
import { resolveBle } from '../src/resolve.js';
import { formatScan } from '../src/scan-format.js';
import { encodeAtc1441, encodeBthome, encodeIbeacon, encodePvvx, encodeRuuvi } from '../src/sim/encoders.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';
import { createBleSource } from '../src/source.js';
import { createSurvey } from '../src/survey.js';

// A facility with a hundred tags of a few kinds: `--scan` offers one entry per kind (matched by
// the name the kind shares), not a hundred copies, and that entry, pasted, reads every tag. The
// adapter is noble over the simulated bindings, the lowest layer.
const track = trackCleanups();
const hex = (i: number): string => i.toString(16).padStart(2, '0');

/** 40 ATC1441 thermometers, 30 Ruuvi tags (random addresses), 20 BTHome sensors of one model, 10 nameless iBeacons. */
function facility(): SimulatedDevice[] {
  const atc = Array.from({ length: 40 }, (_, i): SimulatedDevice => {
    const address = `a4:c1:38:00:10:${hex(i)}`;
    return { address, name: `ATC_0010${hex(i).toUpperCase()}`, advertise: () => ({ serviceData: [{ uuid: '181a', data: encodeAtc1441({ mac: address, temperature: 20 + i / 10, humidity: 40, battery: 90, batteryVoltage: 3, counter: 1 }) }] }) };
  });
  const ruuvi = Array.from({ length: 30 }, (_, i): SimulatedDevice => {
    const address = `c7:3a:9e:00:20:${hex(i)}`;
    return { address, addressType: 'random', name: `Ruuvi 20${hex(i).toUpperCase()}`, advertise: () => ({ manufacturerData: encodeRuuvi({ temperature: 4 + i / 10, humidity: 60, pressure: 101_325, mac: address, sequence: 1 }) }) };
  });
  const bthome = Array.from({ length: 20 }, (_, i): SimulatedDevice => ({ address: `a4:c1:38:b7:30:${hex(i)}`, name: 'SBHT-003', advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: encodeBthome([[0x02, 21 + i / 10]], { packetId: 1 }) }] }) }));
  const beacons = Array.from({ length: 10 }, (_, i): SimulatedDevice => ({
    address: `f4:00:00:00:40:${hex(i)}`,
    addressType: 'random',
    advertise: () => ({ manufacturerData: encodeIbeacon({ uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 1, minor: i, measuredPower: -59 }) }),
  }));
  return [...atc, ...ruuvi, ...bthome, ...beacons];
}

/** The simulated adapter of `facility()`: every device advertises as a scan starts. */
function facilityAdapter(): SimulatedBindings {
  const sim = new SimulatedBindings({ devices: facility() });
  sim.on('scanStart', () => sim.advertise());
  return sim;
}

async function mapping(body: string): Promise<string> {
  const file = join(await track.tempDir('ble-fleet-'), 'map.yaml');
  await writeFile(file, body);
  return file;
}

const pasteBlock = (out: string): string => out.slice(out.indexOf('\ndevices:\n') + 1);
const bare = 'source_id: fleet-test\nsink: { url: stdout }\nble:\n  adapter: { when_missing: exit }\n';

describe('bridge-ble --scan in a facility of a hundred tags', () => {
  it('offers one entry per kind of tag, which pasted reads every tag of that kind', async () => {
    const { code, out, err } = await runBridgeCommand(defineBleBridge({ bindings: facilityAdapter }), ['--config', await mapping(bare), '--scan', '1s', '--log-level', 'silent']);
    expect(code, err).toBe(0);
    expect(out).toMatch(/^100 devices heard in 1s on the default adapter \(active scan\), 100 adverts:\n/);
    expect(out).toContain('# 100 devices in 4 entries not mapped yet');
    const entries = (parse(pasteBlock(out)) as { devices: Record<string, unknown>[] }).devices;
    expect(entries.slice(0, 3)).toEqual([
      { name: 'atc', local_name_prefix: 'ATC_', decoder: 'atc' },
      { name: 'ruuvi', local_name_prefix: 'Ruuvi ', decoder: 'ruuvi' },
      { name: 'sbht_003', local_name: 'SBHT-003', decoder: 'bthome' },
    ]);
    // Nameless beacons of one proximity UUID: one entry by the UUID.
    expect(entries.slice(3)).toEqual([{ name: 'ibeacon_e2c56db5', ibeacon_uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', decoder: 'ibeacon' }]);

    // Pasted, the file passes --check, and every tag's points come under its kind's entry, tagged with its own address (a beacon: its major and minor).
    const pasted = await mapping(`${bare}${pasteBlock(out).replace(/^(?=.)/gm, '  ')}`);
    expect((await runBridgeCommand(defineBleBridge({ bindings: facilityAdapter }), ['--config', pasted, '--check'])).code).toBe(0);
    const t = createTestContext({ bridge: 'ble' });
    const source = createBleSource(loadMapping(pasted, defineBleBridge()).ble, t.ctx, { bindings: facilityAdapter });
    await source.start();
    const addresses = (device: string): number => new Set(t.points.filter((p) => p.tags?.device === device).map((p) => p.tags?.address ?? p.tags?.minor)).size;
    await t.waitFor(() => addresses('atc') === 40 && addresses('ruuvi') === 30 && addresses('sbht_003') === 20 && addresses('ibeacon_e2c56db5') === 10, 'points of every tag of the four kinds');
    await source.stop();
  });

  it('offers one entry for a fleet of ATC1441 thermometers among pvvx ones (both called ATC_), the pvvx ones by address, which pasted reads every one under its decoder', async () => {
    const thermometer = (i: number, pvvx: boolean): SimulatedDevice => {
      const address = `a4:c1:38:${pvvx ? 'ab' : '00'}:50:${hex(i)}`;
      const values = { mac: address, temperature: 20 + i / 10, humidity: 40, battery: 90, batteryVoltage: 3, counter: 1 };
      const data = pvvx ? encodePvvx({ ...values, flags: 0 }) : encodeAtc1441(values);
      return { address, name: `ATC_${address.slice(9).replace(/:/g, '').toUpperCase()}`, advertise: () => ({ serviceData: [{ uuid: '181a', data }] }) };
    };
    // 30 LYWSD03MMC on the ATC1441 firmware, 2 on pvvx's.
    const devices = [...Array.from({ length: 30 }, (_, i) => thermometer(i, false)), thermometer(0, true), thermometer(1, true)];
    const adapter = (): SimulatedBindings => {
      const sim = new SimulatedBindings({ devices });
      sim.on('scanStart', () => sim.advertise());
      return sim;
    };
    const { code, out, err } = await runBridgeCommand(defineBleBridge({ bindings: adapter }), ['--config', await mapping(bare), '--scan', '1s', '--log-level', 'silent']);
    expect(code, err).toBe(0);
    expect(out).toContain('# 32 devices in 3 entries not mapped yet');
    expect((parse(pasteBlock(out)) as { devices: Record<string, unknown>[] }).devices).toEqual([
      { name: 'atc', local_name_prefix: 'ATC_', decoder: 'atc' },
      { name: 'atc_ab5000', address: 'a4:c1:38:ab:50:00', decoder: 'pvvx' },
      { name: 'atc_ab5001', address: 'a4:c1:38:ab:50:01', decoder: 'pvvx' },
    ]);

    const pasted = await mapping(`${bare}${pasteBlock(out).replace(/^(?=.)/gm, '  ')}`);
    expect((await runBridgeCommand(defineBleBridge({ bindings: adapter }), ['--config', pasted, '--check'])).code).toBe(0);
    const t = createTestContext({ bridge: 'ble' });
    const source = createBleSource(loadMapping(pasted, defineBleBridge()).ble, t.ctx, { bindings: adapter });
    await source.start();
    const addresses = (device: string): number => new Set(t.points.filter((p) => p.tags?.device === device).map((p) => p.tags?.address ?? device)).size;
    await t.waitFor(() => addresses('atc') === 30 && addresses('atc_ab5000') === 1 && addresses('atc_ab5001') === 1, 'points of every thermometer');
    await source.stop();
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
  });

  it('offers no shared entry that would take a device of another kind, unless an address entry (the mapping\'s, or one offered with it) takes that one', () => {
    const advert = (address: string, name: string, serviceData: Uint8Array, addressType: 'public' | 'random' = 'public') => ({ t: 0, address, addressType, rssi: -60, name, serviceData: [{ uuid: '181a', data: serviceData }] });
    const values = (mac: string) => ({ mac, temperature: 20, humidity: 40, battery: 90, batteryVoltage: 3, counter: 1 });
    const atc = [0, 1, 2].map((i) => advert(`a4:c1:38:00:10:0${i}`, `ATC_00100${i}`, encodeAtc1441(values(`a4:c1:38:00:10:0${i}`))));
    // The pvvx firmware calls itself ATC_ too, in another format: ATC_ would take it under the wrong decoder, but for an address entry.
    const pvvx = advert('a4:c1:38:ab:cd:ef', 'ATC_ABCDEF', encodePvvx({ ...values('a4:c1:38:ab:cd:ef'), flags: 0 }));
    const entriesOf = (devices: unknown[], air = [...atc, pvvx]) => {
      const survey = createSurvey(createMatcher(resolveBle(bleConfigSchema.parse({ devices })).config.devices));
      for (const a of air) survey.advert(a);
      return (parse(pasteBlock(formatScan(survey.result(), { heardFrom: 'a test' }))) as { devices: Record<string, unknown>[] }).devices;
    };
    // Its address stays: the entry offered for it by address wins over ATC_.
    expect(entriesOf([])).toEqual([
      { name: 'atc', local_name_prefix: 'ATC_', decoder: 'atc' },
      { name: 'atc_abcdef', address: 'a4:c1:38:ab:cd:ef', decoder: 'pvvx' },
    ]);
    expect(entriesOf([{ name: 'pvvx', address: 'a4:c1:38:ab:cd:ef', decoder: 'pvvx' }])).toEqual([{ name: 'atc', local_name_prefix: 'ATC_', decoder: 'atc' }]);
    expect(entriesOf([{ name: 'pvvx', local_name: 'ATC_ABCDEF', decoder: 'pvvx' }])).toHaveLength(3);
    // On an address it changes, it is offered by its name, not its address: each gets its own entry, as with one the mapping maps by a name.
    const rotating = { ...pvvx, address: '4c:00:11:22:33:44', addressType: 'random' as const };
    expect(entriesOf([], [...atc, rotating]).map((e) => e.address ?? e.local_name)).toEqual(['a4:c1:38:00:10:00', 'a4:c1:38:00:10:01', 'a4:c1:38:00:10:02', 'ATC_ABCDEF']);
  });
});
