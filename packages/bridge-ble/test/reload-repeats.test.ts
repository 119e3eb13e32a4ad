import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encryptBthome, parseBindKey } from '../src/decode/bthome-crypto.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { handled, sourceUnderTest, thermometer } from './helpers/source.js';

// Sensors send each reading several times (the ATC firmware for a minute, BTHome sensors in
// bursts); a SIGHUP reload (a tag added to the mapping) starts a new source while they go on.

const track = trackCleanups();
const KITCHEN = 'a4:c1:38:12:34:56';
const LIVING = 'a4:c1:38:b7:10:01';
const WINDOW = 'a4:c1:38:b7:10:02';
const KEY_HEX = '231d39c1d7cc1ab1aee224cd096db932';
const OTHER_KEY_HEX = '00112233445566778899aabbccddeeff';

/** A BTHome device whose next advert the test sets (the service data after fcd2). */
function bthome(address: string) {
  const device: SimulatedDevice & { data: Uint8Array } = { address, data: new Uint8Array(), advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: device.data }] }) };
  return device;
}

const section = {
  devices: [
    { name: 'kitchen', address: KITCHEN, decoder: 'atc' },
    { name: 'living', address: LIVING, decoder: 'bthome' },
    { name: 'window', address: WINDOW, decoder: 'bthome', bind_key: KEY_HEX },
  ],
};

function started(s: unknown, devices: SimulatedDevice[], reloadState: Map<string, unknown>) {
  const run = sourceUnderTest(s, devices, { reloadState });
  track.defer(() => run.source.stop());
  return run;
}

describe('a SIGHUP reload', () => {
  it('sends no reading again that a sensor goes on repeating, and takes no replayed counter', async () => {
    const reloadState = new Map<string, unknown>();
    const living = bthome(LIVING);
    living.data = Buffer.from('400007026608', 'hex'); // packet id 7, temperature 21.5
    const window = bthome(WINDOW);
    const seal = (counter: number) => encryptBthome(parseBindKey(KEY_HEX), WINDOW, 0x41, Buffer.from('02ca09', 'hex'), counter);
    window.data = seal(20);
    const devices = [thermometer(KITCHEN), living, window];
    const before = started(section, devices, reloadState);
    await before.source.start();
    before.sim.advertise();
    await before.t.waitFor(() => before.t.points.length === 7, 'a reading of each');
    await before.source.stop();

    const after = started(section, devices, reloadState);
    await after.source.start();
    // The same reading and packet id again; an advert recorded before counter 20.
    window.data = seal(19);
    after.sim.advertise();
    await handled();
    expect(after.t.points).toEqual([]);
    expect(after.t.problems.map((p) => p.key)).toEqual(['ble.window.replayed_counter']);
    // The next readings go.
    living.data = Buffer.from('400008026708', 'hex');
    window.data = seal(21);
    after.sim.advertise(LIVING);
    after.sim.advertise(WINDOW);
    await after.t.waitFor(() => after.t.points.length === 2, 'the next readings');
    expect(after.t.points.map((p) => [p.metric, p.value])).toEqual([['living.temperature', 21.51], ['window.temperature', 25.06]]);
  });

  it('starts a sensor afresh whose bind key changed (paired anew)', async () => {
    const reloadState = new Map<string, unknown>();
    const window = bthome(WINDOW);
    window.data = encryptBthome(parseBindKey(KEY_HEX), WINDOW, 0x41, Buffer.from('02ca09', 'hex'), 500);
    const before = started(section, [window], reloadState);
    await before.source.start();
    before.sim.advertise();
    await before.t.waitFor(() => before.t.points.length === 1, 'the reading');
    await before.source.stop();

    const paired = { devices: [{ name: 'window', address: WINDOW, decoder: 'bthome', bind_key: OTHER_KEY_HEX }] };
    window.data = encryptBthome(parseBindKey(OTHER_KEY_HEX), WINDOW, 0x41, Buffer.from('02ca09', 'hex'), 1);
    const after = started(paired, [window], reloadState);
    await after.source.start();
    after.sim.advertise();
    await after.t.waitFor(() => after.t.points.length === 1, 'the reading with the new key');
    expect(after.t.problems).toEqual([]);
  });
});
