import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { encryptBthome, parseBindKey } from '../src/decode/bthome-crypto.js';
import { encodeBthome } from '../src/sim/encoders.js';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { handled, sourceUnderTest, T0 } from './helpers/source.js';

const track = trackCleanups();
const WINDOW = 'a4:c1:38:b7:10:02';
const KEY_HEX = '231d39c1d7cc1ab1aee224cd096db932';
const key = parseBindKey(KEY_HEX);
const MINUTE = 60_000;

/** An encrypted BTHome sensor whose next advert carries the counter and temperature the test sets. */
function encryptedSensor(): SimulatedDevice & { counter: number; temperature: number } {
  const sensor = {
    address: WINDOW,
    counter: 0,
    temperature: 20,
    advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: encryptBthome(key, WINDOW, 0x41, encodeBthome([[0x02, sensor.temperature]]).subarray(1), sensor.counter) }] }),
  };
  return sensor;
}

/** The source with the window sensor mapped: `section` keys beside `devices`, `device` keys in its entry. */
function started(section: object, device: object = {}) {
  const sensor = encryptedSensor();
  const s = sourceUnderTest({ ...section, devices: [{ name: 'window', address: WINDOW, decoder: 'bthome', bind_key: KEY_HEX, ...device }] }, [sensor]);
  track.defer(() => s.source.stop());
  /** The sensor sends `counter` with `temperature` at `atMs` (the context's clock, which stamps adverts). */
  const send = async (counter: number, temperature: number, atMs: number): Promise<void> => {
    s.setNow(atMs);
    sensor.counter = counter;
    sensor.temperature = temperature;
    s.sim.advertise();
    await handled();
  };
  return { ...s, send };
}

describe('an encrypted BTHome sensor whose counter restarts, through noble on the simulated adapter', () => {
  it('is taken back after counter_restart_after_s of rising lower counters: a warning, the refused adverts counted, the episode resolved', async () => {
    const { t, source, send } = started({});
    await source.start();
    await send(4000, 20, T0);
    await send(4001, 20.5, T0 + 30_000);
    // Batteries changed: the counter starts over and rises, refused for the default 5 minutes.
    for (let m = 0; m < 5; m++) await send(m, 21 + m, T0 + MINUTE + m * MINUTE);
    expect(t.points.map((p) => p.value)).toEqual([20, 20.5]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'window', kind: 'replayed_counter' })).toBe(5);
    expect(t.problems.map((p) => [p.kind, p.key, p.logged])).toEqual([['report', 'ble.window.replayed_counter', true], ...Array(4).fill(['report', 'ble.window.replayed_counter', false])]);
    await send(5, 26, T0 + 6 * MINUTE);
    expect(t.points.map((p) => [p.metric, p.value, p.timestamp])).toEqual([
      ['window.temperature', 20, T0], ['window.temperature', 20.5, T0 + 30_000], ['window.temperature', 26, T0 + 6 * MINUTE],
    ]);
    expect(t.problems.at(-1)).toMatchObject({ kind: 'resolve', key: 'ble.window.replayed_counter' });
    const warning = t.logs.lines().find((l) => l.level === 40 && l.msg.includes('the encryption counter restarted'));
    expect(warning).toMatchObject({ device: 'window', address: WINDOW, counter: 5, from: 0, previous: 4001, refused: 5 });
    expect(warning?.msg).toBe(`window (${WINDOW}) bthome: the encryption counter restarted (battery change?): counter 5 is the new baseline; the counters rose from 0 for 5m below the last accepted 4001, with none above it (5 adverts refused meanwhile as replayed_counter)`);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'window', kind: 'replayed_counter' })).toBe(5);
    await send(6, 27, T0 + 7 * MINUTE);
    expect(t.points.at(-1)?.value).toBe(27);
  });

  it('keeps refusing old adverts replayed while the real sensor keeps sending', async () => {
    const { t, source, send } = started({ counter_restart_after_s: '2m' });
    await source.start();
    // The real sensor every minute; adverts recorded earlier replayed every 20 s, rising, for 10 minutes.
    for (let s = 0; s <= 10 * 60; s += 20) {
      if (s % 60 === 0) await send(4000 + s, 20, T0 + s * 1000);
      await send(300 + s, 5, T0 + s * 1000 + 1);
    }
    expect(t.points.map((p) => p.value)).toEqual(Array(11).fill(20));
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'window', kind: 'replayed_counter' })).toBe(31);
    expect(t.logs.messages('warn').filter((m) => m.includes('the encryption counter restarted'))).toEqual([]);
  });

  it('with counter_restart_after_s: never, refuses the restarted sensor for as long as it runs', async () => {
    const { t, source, send } = started({ counter_restart_after_s: '2m' }, { counter_restart_after_s: 'never' });
    await source.start();
    await send(4000, 20, T0);
    for (let m = 1; m <= 30; m++) await send(m, 21, T0 + m * MINUTE);
    expect(t.points.map((p) => p.value)).toEqual([20]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'window', kind: 'replayed_counter' })).toBe(30);
    expect(t.problems.at(-1)?.message).toMatch(/counter_restart_after_s is never/);
  });
});
