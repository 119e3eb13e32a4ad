import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { bleConfigSchema } from '../src/config.js';
import { createBleSource } from '../src/source.js';
import { DEMO_BIND_KEY, DEMO_DEVICES } from '../src/sim/demo-fleet.js';
import { T0 } from './helpers/source.js';

const track = trackCleanups();
const KITCHEN = 'a4:c1:38:12:34:56';
// ATC1441 by hand: MAC, 0x00d7 = 21.5 °C, 0x28 = 40 %, 0x59 = 89 %, 0x0bc2 = 3010 mV, then the frame counter.
// An ATC1441 reading whose frame counter (the last byte) follows the time, so that no two lines are one reading repeated.
const line = (t: number, address = KITCHEN): string =>
  `{"t":${t},"address":"${address}","address_type":"public","rssi":-70,"service_data":[{"uuid":"181a","data":"a4c13812345600d728590bc2${(Math.floor(t / 100) & 0xff).toString(16).padStart(2, '0')}"}]}`;

function replaying(replay: unknown, stdin?: PassThrough) {
  const t = createTestContext({ bridge: 'ble' });
  const now = 1_800_000_000_000;
  t.ctx.clock = { ...t.ctx.clock, now: () => now };
  const source = createBleSource(bleConfigSchema.parse({ replay, devices: [{ name: 'kitchen', address: KITCHEN, decoder: 'atc' }] }), t.ctx, stdin ? { stdin } : {});
  track.defer(() => source.stop());
  return { t, source, now };
}

describe('replaying a record file instead of an adapter', () => {
  it('reads it as fast as the sink takes it, times shifted to now, bad lines counted; the end is reported', async () => {
    const file = join(await track.tempDir('ble-replay-'), 'r.ndjson');
    await writeFile(file, [line(T0), 'not json', line(T0 + 2500), line(T0 + 2600, '11:22:33:44:55:66'), ''].join('\n'));
    const { t, source, now } = replaying({ file, pace: 'fast' });
    await source.start();
    await t.waitFor(() => t.channels().replay?.state === 'disconnected', 'the end of the file');
    // As fast as possible: stamped by the clock as they go (never 2.5 s ahead of it, as the recorded gap would).
    expect(t.points.filter((p) => p.metric === 'kitchen.temperature').map((p) => p.timestamp)).toEqual([now, now]);
    expect(t.channels().replay).toMatchObject({ state: 'disconnected', required: true });
    expect(t.states.filter((s) => s.channel === 'replay').map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected']);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'replay', kind: 'bad_record' })).toBe(1);
    expect(t.problems[0]?.message).toBe(`${file}:2: not a JSON object; the line is skipped`);
    expect(await t.metric('fieldbridge_ble_adverts_ignored_total', {})).toBe(1);
  });

  it('waits while the sink is blocked instead of dropping: a file can wait', async () => {
    const stdin = new PassThrough();
    const { t, source } = replaying({ file: '-', pace: 'fast' }, stdin);
    const original = t.ctx.flow;
    let waiting: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (waiting = resolve));
    t.ctx.flow = { blocked: original.blocked, whenOpen: (signal) => (waiting(), original.whenOpen(signal)) };
    t.setBlocked(true);
    await source.start();
    stdin.write(`${line(T0)}\n`);
    await paused;
    expect(t.points).toEqual([]);
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'kitchen', reason: 'blocked' })).toBe(0);
    t.setBlocked(false);
    await t.waitFor(() => t.points.length === 5, 'the held advert delivered');
  });

  it('stops at once while standard input has nothing to read', async () => {
    const stdin = new PassThrough();
    const { t, source } = replaying('-', stdin);
    await source.start();
    expect(t.channels().replay?.state).toBe('connected');
    const stopped = source.stop().then(() => 'stopped' as const);
    const hung = new Promise<'hung'>((resolve) => setTimeout(resolve, 5000, 'hung').unref());
    expect(await Promise.race([stopped, hung])).toBe('stopped');
    expect(stdin.destroyed).toBe(true);
  });
});

describe('a looping replay', () => {
  const recording = new URL('../../../examples/ble/sensors.ndjson', import.meta.url).pathname;
  const section = (loop: boolean) =>
    bleConfigSchema.parse({ replay: { file: recording, pace: 'fast', loop }, devices: [{ name: 'window', address: DEMO_DEVICES.bthomeEncrypted, decoder: 'bthome', bind_key: DEMO_BIND_KEY }] });

  it('reads an encrypted BTHome sensor on every pass, not only the first (its counters start over with the file)', async () => {
    // One pass: how many readings the recording holds.
    const once = createTestContext({ bridge: 'ble' });
    const single = createBleSource(section(false), once.ctx);
    track.defer(() => single.stop());
    await single.start();
    await once.waitFor(() => once.channels().replay?.state === 'disconnected', 'the end of the file');
    const perPass = once.points.filter((p) => p.metric === 'window.temperature').length;
    expect(perPass).toBeGreaterThan(0);

    // Looping: the second pass plays the same counters again, which are not replays.
    const looping = createTestContext({ bridge: 'ble' });
    const loop = createBleSource(section(true), looping.ctx);
    track.defer(() => loop.stop());
    await loop.start();
    await looping.waitFor(() => looping.points.filter((p) => p.metric === 'window.temperature').length >= 2 * perPass, 'readings of a second pass');
    expect(await looping.metric('fieldbridge_source_errors_total', { kind: 'replayed_counter' })).toBe(0);
  });

  it('reads a thermometer on every pass of a looping replay: the same readings again are no repeats', async () => {
    const file = join(await track.tempDir('ble-replay-'), 'one.ndjson');
    await writeFile(file, `${line(T0)}\n`);
    const { t, source } = replaying({ file, pace: 'fast', loop: true });
    await source.start();
    await t.waitFor(() => t.points.filter((p) => p.metric === 'kitchen.temperature').length >= 3, 'three passes');
    expect(await t.metric('fieldbridge_ble_duplicates_total', {})).toBe(0);
  });
});
