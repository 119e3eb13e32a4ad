import { describe, expect, it } from 'vitest';
import { decodeBthome } from '../src/decode/bthome.js';
import { decodeIbeacon } from '../src/decode/ibeacon.js';
import { decodeRuuvi } from '../src/decode/ruuvi.js';
import { decodeAtc1441, decodePvvx } from '../src/decode/xiaomi.js';
import { decodeCharacteristic } from '../src/gatt/characteristics.js';
import { encodeAtc1441, encodeBthome, encodeHeartRate, encodeIbeacon, encodePvvx, encodeRuuvi } from '../src/sim/encoders.js';

const values = (r: { measurements: { measurement: string; value: unknown }[] }) => Object.fromEntries(r.measurements.map((m) => [m.measurement, m.value]));

// The simulator's encoders against the decoders (which the fixtures check against the specifications).
describe('simulator encoders round-trip through the decoders', () => {
  it('BTHome numbers, binaries and the packet id', () => {
    const data = encodeBthome([[0x01, 97], [0x02, -12.34], [0x03, 50.55], [0x04, 1008.83], [0x58, -7.7], [0x62, -1], [0x2d, true]], { packetId: 7 });
    const r = decodeBthome(data, { address: 'a4:c1:38:00:00:01' });
    expect(r.info?.packetId).toBe(7);
    expect(values(r)).toEqual({ battery: 97, temperature_1: -12.34, humidity: 50.55, pressure: 1008.83, temperature_2: -7.7, speed: -1, window: true });
    expect(() => encodeBthome([[0x3a, 1]])).toThrow(/not a number or binary/);
  });

  it('Ruuvi RAWv2, with missing values sent as not available', () => {
    const full = { temperature: 24.3, humidity: 53.49, pressure: 100044, acceleration: [0.004, -0.004, 1.036] as [number, number, number], batteryVoltage: 2.977, txPower: 4, movementCounter: 66, sequence: 205, mac: 'cb:b8:33:4c:88:4f' };
    // The specification's valid-data test vector.
    expect(Buffer.from(encodeRuuvi(full)).toString('hex')).toBe('99040512fc5394c37c0004fffc040cac364200cdcbb8334c884f');
    expect(values(decodeRuuvi(encodeRuuvi({})))).toEqual({});
  });

  it('ATC1441, pvvx, iBeacon and heart rate', () => {
    const v = { mac: 'a4:c1:38:12:34:56', temperature: -5.6, humidity: 80, battery: 12, batteryVoltage: 2.21, counter: 255, flags: 5 };
    expect(values(decodeAtc1441(encodeAtc1441(v)))).toEqual({ temperature: -5.6, humidity: 80, battery: 12, battery_voltage: 2.21, counter: 255 });
    expect(values(decodePvvx(encodePvvx({ ...v, temperature: 21.37, humidity: 48.21 })))).toEqual({ temperature: 21.37, humidity: 48.21, battery: 12, battery_voltage: 2.21, counter: 255, flags: 5 });
    expect(decodePvvx(encodePvvx(v)).identity).toEqual({ mac: 'a4:c1:38:12:34:56' });
    expect(decodeIbeacon(encodeIbeacon({ uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 1, minor: 2, measuredPower: -59 })).identity).toEqual({ uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 1, minor: 2 });
    expect(decodeCharacteristic('2a37', encodeHeartRate({ bpm: 300, contact: true, energyKj: 12, rrIntervals: [0.5, 0.75] })).measurements.map((m) => m.value)).toEqual([300, true, 12, 0.5, 0.75]);
  });
});

describe('the simulated radio', () => {
  it('advertises every device and notifies every subscription once per interval', async () => {
    const { runSimulatedRadio } = await import('../src/sim/radio.js');
    const { SimulatedBindings } = await import('../src/sim/simulated-bindings.js');
    const { createDemoFleet } = await import('../src/sim/demo-fleet.js');
    const { ManualTimers } = await import('./helpers/manual-timers.js');
    const timers = new ManualTimers();
    const sim = new SimulatedBindings({ devices: createDemoFleet() });
    sim.init();
    sim.startScanning([], true);
    const stop = runSimulatedRadio(sim, { intervalMs: 500, timers });
    timers.advance(1500);
    expect(sim.counts.advertsSent).toBe(3 * 7);
    stop();
    timers.advance(5000);
    expect(sim.counts.advertsSent).toBe(3 * 7);
  });
});
