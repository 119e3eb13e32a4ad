import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseMapping, startBridge } from '@fieldbridge/core';
import { trackCleanups } from '@fieldbridge/core/testing';
import { createGateway, type Gateway, type StoredPoint } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { defineBleBridge } from '../src/bridge.js';
import type { BleSource } from '../src/source.js';
import { createDemoFleet, DEMO_BIND_KEY, DEMO_DEVICES } from '../src/sim/demo-fleet.js';
import { SimulatedBindings } from '../src/sim/simulated-bindings.js';
import { once as onceWhere } from './helpers/collector.js';
import { handled } from './helpers/source.js';

const track = trackCleanups();
const recording = fileURLToPath(new URL('../../../examples/ble/sensors.ndjson', import.meta.url));

const mapping = (gw: Gateway, ble: string): string => `
source_id: e2e-ble
tags: { site: test }
sink:
  url: ${gw.url}
  api_key: k
  batch: { max_points: 1000, linger_ms: 20 }
ble:
  reconnect: { initial_ms: 10, max_ms: 50 }
${ble}
  devices:
    - { name: living_room, address: ${DEMO_DEVICES.bthome}, decoder: bthome }
    - { name: window, address: ${DEMO_DEVICES.bthomeEncrypted}, decoder: bthome, bind_key: "\${WINDOW_KEY}" }
    - { name: fridge, address: ${DEMO_DEVICES.ruuvi}, decoder: ruuvi }
    - { name: thermometer, local_name_prefix: ATC_1, decoder: atc }
    - { name: freezer, local_name: ATC_ABCDEF, decoder: pvvx }
    - { name: tag, address: ${DEMO_DEVICES.ibeacon}, decoder: ibeacon, rssi: true }
    - name: strap
      address: ${DEMO_DEVICES.heartRate}
      decoder: gatt
      rssi: true
      characteristics: [{ service: 180d, uuid: 2a37, mode: notify }, { uuid: 2a19, mode: read, interval_ms: 1h }]
`;

async function run(ble: string, bindings?: () => SimulatedBindings) {
  const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
  const definition = defineBleBridge(bindings ? { bindings } : {});
  const config = parseMapping(mapping(gw, ble), 'e2e.yaml', definition, { WINDOW_KEY: DEMO_BIND_KEY });
  const bridge = track.add(await startBridge(definition, config, { logger: pino({ level: 'silent' }) }), (b) => b.stop());
  return { gw, bridge, source: bridge.instance as BleSource };
}

/** Resolves when the simulated adapter answers a read of the battery level (the last step of the strap's setup). */
const batteryRead = (sim: SimulatedBindings): Promise<unknown> =>
  onceWhere<[string, string, string]>((listener) => (sim.on('read', listener), () => sim.off('read', listener)), (_id, _service, uuid) => uuid === '2a19', 'the battery read');

/** The values of `metric` in time order (batches may reach the gateway in either order: the sink sends more than one at a time). */
const values = (points: StoredPoint[], metric: string) =>
  points.filter((p) => p.metric === metric).sort((a, b) => a.timestamp! - b.timestamp!).map((p) => p.value);

describe('end to end: adverts -> bridge-ble -> sink -> gateway-dev', () => {
  it('from noble over a simulated adapter: state changes, discoveries, a GATT connection, reads and notifications', async () => {
    const sim = new SimulatedBindings({ devices: createDemoFleet() });
    const { gw, bridge } = await run('  scan: { mode: active }', () => sim);
    const setUp = batteryRead(sim);
    sim.advertise();
    await setUp;
    sim.notifyAll();
    await handled();
    // The adapter powers off and on: scanning resumes, the strap reconnects and subscribes again.
    const rescanned = once(sim, 'scanStart');
    const setUpAgain = batteryRead(sim);
    sim.powerOff();
    sim.powerOn();
    await rescanned;
    sim.advertise();
    await setUpAgain;
    sim.notifyAll();
    await handled();
    await bridge.sink.flush();

    const points = gw.points();
    // Round 1 of the demo fleet, values worked out from its definitions (demo-fleet.ts): sin(0) = 0.
    expect(points.filter((p) => p.metric === 'living_room.temperature').sort((a, b) => a.timestamp! - b.timestamp!)[0]).toMatchObject({
      value: 21.5, class: 'metric', source_id: 'e2e-ble', tags: { site: 'test', device: 'living_room', address: DEMO_DEVICES.bthome, unit: '°C' },
    });
    expect(values(points, 'living_room.humidity')[0]).toBe(50);
    expect(values(points, 'window.temperature')[0]).toBe(19);
    expect(values(points, 'window.window')[0]).toBe(false);
    expect(values(points, 'fridge.pressure')[0]).toBe(101325);
    expect(values(points, 'thermometer.temperature')[0]).toBe(23);
    expect(values(points, 'freezer.temperature')[0]).toBe(-18);
    expect(values(points, 'tag.measured_power')[0]).toBe(-59);
    // The strap: battery 90 read at connection, then one notification per round: 72 and
    // round(72 + 18 sin(2 pi / 60)) = 74 bpm; 60/72 = 0.833 s as 853/1024.
    expect(values(points, 'strap.battery')).toEqual([90, 90]);
    expect(values(points, 'strap.heart_rate')).toEqual([72, 74]);
    expect(values(points, 'strap.rr_interval')[0]).toBe(853 / 1024);
    expect(points.find((p) => p.metric === 'strap.rr_interval')?.tags).toMatchObject({ index: '0', unit: 's' });
    expect(values(points, 'living_room.temperature')).toHaveLength(2);
    expect(sim.counts.connects).toBe(2);
    expect(bridge.readiness()).toMatchObject({ ready: true, details: { channels: { adapter: 'connected' }, optional_channels: { strap: 'connected', living_room: 'connected' } } });
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_source_connected')).toMatch(/bridge="ble",channel="strap"} 1/);
  });

  it('from a replay file (examples/ble/sensors.ndjson, as fast as possible), times shifted to now', async () => {
    const before = Date.now();
    const { gw, bridge, source } = await run(`  replay: { file: ${recording}, pace: fast }`);
    await source.finished();
    await bridge.sink.flush();
    const points = gw.points();
    const count = (device: string) => points.filter((p) => p.tags?.device === device).length;
    // 60 rounds of 7 devices (examples/ble/README.md): every fifth plain BTHome advert repeats
    // its packet id (48 left, 3 values each); the encrypted one sends 4 values; Ruuvi 10; ATC 5;
    // pvvx 6; the iBeacon its measured power and RSSI; the strap's adverts only its RSSI.
    expect({ living_room: count('living_room'), window: count('window'), fridge: count('fridge'), thermometer: count('thermometer'), freezer: count('freezer'), tag: count('tag'), strap: count('strap') })
      .toEqual({ living_room: 144, window: 240, fridge: 600, thermometer: 300, freezer: 360, tag: 120, strap: 60 });
    expect(await bridge.registry.getSingleMetricAsString('fieldbridge_ble_duplicates_total')).toMatch(/fieldbridge_ble_duplicates_total 12/);
    const first = points.filter((p) => p.metric === 'living_room.temperature').sort((a, b) => a.timestamp! - b.timestamp!)[0]!;
    const window = points.filter((p) => p.metric === 'window.temperature').sort((a, b) => a.timestamp! - b.timestamp!)[0]!;
    // The sink's clock is monotonic plus an offset, so it may differ from Date.now() by a little.
    expect(first.timestamp).toBeGreaterThanOrEqual(before - 1000);
    // Stamped as they were played, in the order heard: the recording's two minutes of gaps would
    // put the last adverts two minutes ahead of the clock.
    expect(window.timestamp!).toBeGreaterThanOrEqual(first.timestamp!);
    expect(Math.max(...points.map((p) => p.timestamp!))).toBeLessThanOrEqual(Date.now() + 1000);
    expect(bridge.readiness().details).toMatchObject({ channels: { replay: 'disconnected' } });
  });
});
