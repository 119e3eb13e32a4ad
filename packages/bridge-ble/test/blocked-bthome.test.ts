import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encryptBthome, parseBindKey } from '../src/decode/bthome-crypto.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { handled, sourceUnderTest } from './helpers/source.js';

const track = trackCleanups();
const LIVING = 'a4:c1:38:b7:10:01';
const WINDOW = 'a4:c1:38:b7:10:02';
const KEY_HEX = '231d39c1d7cc1ab1aee224cd096db932';

/** A BTHome device sending `data` (the service data after fcd2). */
const bthome = (address: string, data: Uint8Array): SimulatedDevice => ({ address, advertise: () => ({ serviceData: [{ uuid: 'fcd2', data }] }) });

describe('a BTHome reading heard while the sink is blocked', () => {
  it('is dropped (adverts cannot wait) and read again from its next copy, plain or encrypted', async () => {
    const devices = [
      bthome(LIVING, Buffer.from('400007026608', 'hex')), // packet id 7, 21.5 °C
      bthome(WINDOW, encryptBthome(parseBindKey(KEY_HEX), WINDOW, 0x41, Buffer.from('02ca09', 'hex'), 20)),
    ];
    const s = sourceUnderTest({ devices: [{ name: 'living', address: LIVING, decoder: 'bthome' }, { name: 'window', address: WINDOW, decoder: 'bthome', bind_key: KEY_HEX }] }, devices);
    track.defer(() => s.source.stop());
    const { t, sim, source } = s;
    await source.start();
    t.setBlocked(true);
    sim.advertise();
    await handled();
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'living', reason: 'blocked' })).toBe(1);
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'window', reason: 'blocked' })).toBe(1);
    t.setBlocked(false);
    // The sensors send the same reading again (same packet id, same counter): it goes now, once.
    sim.advertise();
    await handled();
    sim.advertise();
    await handled();
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['living.temperature', 21.5], ['window.temperature', 25.06]]);
  });
});
