import { describe, expect, it } from 'vitest';
import type { Advert } from '../src/advert/advert.js';
import { bleConfigSchema } from '../src/config.js';
import { decodeAdvertPoints } from '../src/decode.js';
import { decodeBthome, type BthomeResult } from '../src/decode/bthome.js';
import { encryptBthome, parseBindKey } from '../src/decode/bthome-crypto.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { resolveBle } from '../src/resolve.js';
import { encodeBthome } from '../src/sim/encoders.js';

const KEY_HEX = '231d39c1d7cc1ab1aee224cd096db932';
const key = parseBindKey(KEY_HEX);
const address = '54:48:e6:8f:80:a5';
const T0 = 1_767_225_600_000;
const MINUTE = 60_000;
const WAIT = 5 * MINUTE;

/** An encrypted advert as a sensor sends it: a temperature (and a packet id when given) under `counter`. */
function sealed(counter: number, temperature: number, packetId?: number): Uint8Array {
  const objects = encodeBthome([[0x02, temperature]], packetId === undefined ? {} : { packetId }).subarray(1);
  return encryptBthome(key, address, 0x41, objects, counter);
}

/** A decoder with one device's memory, fed adverts received at the times the test gives. */
function sensorMemory(restartAfterMs = WAIT) {
  const state = new BthomeState();
  return (payload: Uint8Array, atMs: number): BthomeResult => decodeBthome(payload, { address, bindKey: key, state, t: atMs, counterRestartAfterMs: restartAfterMs });
}

const kinds = (r: BthomeResult) => r.problems.map((p) => p.kind);
const values = (r: BthomeResult) => r.measurements.map((m) => m.value);

describe('a BTHome sensor whose encryption counter restarts (a battery change)', () => {
  it('is accepted once its lower counters have risen for the wait, with nothing higher in between', () => {
    const decode = sensorMemory();
    expect(values(decode(sealed(1000, 20, 7), T0))).toEqual([20]);
    expect(values(decode(sealed(1001, 20.5, 8), T0 + 30_000))).toEqual([20.5]);
    // New batteries: the counter starts over; the sensor sends each reading twice.
    const lower = [sealed(0, 21, 8), sealed(0, 21, 8), sealed(1, 21.5, 9), sealed(2, 22, 10)];
    const refused = lower.map((p, i) => decode(p, T0 + MINUTE + i * MINUTE));
    expect(refused.map(kinds)).toEqual([['replayed_counter'], ['replayed_counter'], ['replayed_counter'], ['replayed_counter']]);
    expect(refused.every((r) => r.measurements.length === 0)).toBe(true);
    expect(refused[0]?.problems[0]?.message).toBe("encryption counter 0 is lower than the last accepted 1001: a replayed or stale advert, or the sensor's counter restarted (a battery change?): if its counters keep rising, with none above 1001 meanwhile, for 5m more, they become the new baseline (counter_restart_after_s)");
    expect(refused[3]?.problems[0]?.message).toMatch(/for 2m more, they become the new baseline/);
    // Five minutes after counter 0: counter 3 is the new baseline, decoded and sent; its packet id 8
    // repeats the old sequence's last one, and is no repeat of it.
    const accepted = decode(sealed(3, 22.5, 8), T0 + MINUTE + WAIT);
    expect(kinds(accepted)).toEqual([]);
    expect(values(accepted)).toEqual([22.5]);
    expect(accepted.info?.restart).toEqual({ previous: 1001, from: 0, counter: 3, afterMs: WAIT, refused: 4 });
    expect(decode(sealed(3, 22.5, 8), T0 + MINUTE + WAIT + 1000).duplicate).toBe(true);
    expect(values(decode(sealed(4, 23, 9), T0 + 7 * MINUTE))).toEqual([23]);
    expect(kinds(decode(sealed(2, 22, 10), T0 + 8 * MINUTE))).toEqual(['replayed_counter']);
  });

  it('refuses old adverts replayed while the real sensor keeps sending: they never become the baseline', () => {
    const decode = sensorMemory();
    let real = 1000;
    let old = 500;
    for (let s = 0; s <= 30 * 60; s += 10) {
      const at = T0 + s * 1000;
      // The replay goes on every 10 s, rising; the real sensor sends every 2 minutes.
      expect(kinds(decode(sealed(old++, 5), at))).toEqual(s === 0 ? [] : ['replayed_counter']);
      if (s % 120 === 0) {
        const r = decode(sealed(real++, 20), at + 1);
        expect(kinds(r)).toEqual([]);
        expect(r.info?.restart).toBeUndefined();
      }
    }
  });

  it('starts the wait over when the old sequence is accepted in between', () => {
    const decode = sensorMemory();
    decode(sealed(1000, 20), T0);
    decode(sealed(0, 21), T0 + MINUTE);
    decode(sealed(1, 21), T0 + 4 * MINUTE);
    expect(kinds(decode(sealed(1001, 20), T0 + 5 * MINUTE))).toEqual([]);
    expect(kinds(decode(sealed(2, 21), T0 + 6 * MINUTE + 1))).toEqual(['replayed_counter']);
    expect(kinds(decode(sealed(3, 21), T0 + 10 * MINUTE))).toEqual(['replayed_counter']);
    const r = decode(sealed(4, 21), T0 + 11 * MINUTE + 1);
    expect(r.info?.restart).toEqual({ previous: 1001, from: 2, counter: 4, afterMs: WAIT, refused: 2 });
  });

  it('never takes lower counters that do not rise as the baseline, however long they last', () => {
    const same = sensorMemory();
    same(sealed(1000, 20), T0);
    for (let m = 1; m <= 60; m++) expect(kinds(same(sealed(500, 5), T0 + m * MINUTE))).toEqual(['replayed_counter']);
    const wavering = sensorMemory();
    wavering(sealed(1000, 20), T0);
    for (let m = 1; m <= 60; m++) expect(kinds(wavering(sealed(m % 2 === 0 ? 500 : 499, 5), T0 + m * MINUTE))).toEqual(['replayed_counter']);
    const falling = sensorMemory();
    falling(sealed(1000, 20), T0);
    for (let m = 1; m <= 60; m++) expect(kinds(falling(sealed(900 - m, 5), T0 + m * MINUTE))).toEqual(['replayed_counter']);
  });

  it('with the wait at 0 (never), refuses lower counters for as long as the process runs, as before', () => {
    const decode = sensorMemory(0);
    decode(sealed(1000, 20), T0);
    for (let m = 1; m <= 120; m++) {
      const r = decode(sealed(m, 21), T0 + m * MINUTE);
      expect(kinds(r)).toEqual(['replayed_counter']);
      expect(r.info?.restart).toBeUndefined();
    }
    expect(decode(sealed(121, 21), T0 + 121 * MINUTE).problems[0]?.message).toBe('encryption counter 121 is lower than the last accepted 1000: a replayed or stale advert (counter_restart_after_s is never: a sensor whose counter restarted is accepted again after the bridge restarts)');
  });

  it('counts the wait in the adverts\' receipt times, not the clock of the process', () => {
    const decode = sensorMemory();
    decode(sealed(1000, 20), T0);
    decode(sealed(0, 21), T0 + 1000);
    expect(kinds(decode(sealed(1, 21), T0 + WAIT))).toEqual(['replayed_counter']);
    expect(decode(sealed(2, 21), T0 + 1000 + WAIT).info?.restart?.counter).toBe(2);
  });
});

describe('counter_restart_after_s from the mapping to the decoded points', () => {
  const advert = (payload: Uint8Array, t: number): Advert => ({ t, address, addressType: 'public', rssi: -60, serviceData: [{ uuid: 'fcd2', data: payload }] });
  const deviceOf = (section: object) => {
    const { config, issues } = resolveBle(bleConfigSchema.parse(section));
    expect(issues).toEqual([]);
    return config.devices[0]!;
  };
  const sensor = { name: 'door', address, decoder: 'bthome', bind_key: KEY_HEX };

  it('defaults to 5m; the section gives every encrypted device its own, a device overrides it', () => {
    expect(deviceOf({ devices: [sensor] }).counterRestartAfterMs).toBe(WAIT);
    expect(deviceOf({ counter_restart_after_s: '1h', devices: [sensor] }).counterRestartAfterMs).toBe(60 * MINUTE);
    expect(deviceOf({ counter_restart_after_s: '1h', devices: [{ ...sensor, counter_restart_after_s: 'never' }] }).counterRestartAfterMs).toBe(0);
    expect(deviceOf({ devices: [{ ...sensor, counter_restart_after_s: 0 }] }).counterRestartAfterMs).toBe(0);
    expect(deviceOf({ devices: [{ ...sensor, counter_restart_after_s: 90 }] }).counterRestartAfterMs).toBe(90_000);
    expect(deviceOf({ counter_restart_after_s: '10m', devices: [{ name: 'plain', address, decoder: 'bthome' }] }).counterRestartAfterMs).toBeUndefined();
  });

  it('marks the advert that restarts the counter, so the source can say so', () => {
    const state = new BthomeState();
    const device = deviceOf({ counter_restart_after_s: '2m', devices: [sensor] });
    expect(decodeAdvertPoints(advert(sealed(70, 20), T0), device, state).points).toHaveLength(1);
    expect(decodeAdvertPoints(advert(sealed(1, 21), T0 + 1000), device, state).problems.map((p) => p.kind)).toEqual(['replayed_counter']);
    const restarted = decodeAdvertPoints(advert(sealed(2, 21.5), T0 + 1000 + 2 * MINUTE), device, state);
    expect(restarted.points.map((p) => [p.metric, p.value, p.timestamp])).toEqual([['door.temperature', 21.5, T0 + 1000 + 2 * MINUTE]]);
    expect(restarted.counterRestart).toEqual({ previous: 70, from: 1, counter: 2, afterMs: 2 * MINUTE, refused: 1 });
  });
});
