import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createScanner } from '../src/adapter/scanner.js';
import type { Advert } from '../src/advert/advert.js';
import { formatRecordLine } from '../src/advert/record.js';
import { decodeAdvert } from '../src/decode/decode-advert.js';
import { isBleBridgeError } from '../src/errors.js';
import { readRecords } from '../src/record/record-reader.js';
import { createRecordWriter, openRecordWriter } from '../src/record/record-writer.js';
import { replayRecords } from '../src/record/replay.js';
import { Collector } from './helpers/collector.js';
import { simulatedNoble } from './helpers/sim.js';

const dir = mkdtempSync(join(tmpdir(), 'bridge-ble-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s/g, ''), 'hex');
const advert = (t: number, extra: Partial<Advert> = {}): Advert => ({ t, address: 'a4:c1:38:00:00:01', addressType: 'public', rssi: -50, serviceData: [{ uuid: 'fcd2', data: hex('40 02ca09') }], ...extra });
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('record then replay', () => {
  it('records what the adapter heard and replays the same adverts', async () => {
    let pid = 0;
    const loaded = await simulatedNoble({ devices: [
      { address: 'a4:c1:38:b7:10:01', name: 'BTHome-T1', advertise: () => ({ serviceData: [{ uuid: 'fcd2', data: Uint8Array.of(0x40, 0x00, pid++, 0x02, 0xca, 0x09) }] }) },
      { address: 'c7:3a:9e:01:02:03', addressType: 'random', rssi: -81, advertise: () => ({ manufacturerData: hex('9904 0512fc5394c37c0004fffc040cac364200cdcbb8334c884f'), txPowerLevel: 4 }) },
    ] });
    const path = join(dir, 'session.ndjson');
    const writer = await openRecordWriter(path);
    const heard = new Collector<Advert>();
    let t = 1_767_225_600_000;
    const scanner = createScanner(loaded, { now: () => (t += 250), onAdvert: (a) => { writer.write(a); heard.push(a); } });
    await scanner.start();
    for (let i = 0; i < 3; i++) loaded.sim.advertise();
    await heard.until(6);
    await scanner.stop();
    await writer.close();
    expect(writer.written).toBe(6);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('{"t":1767225600250,"address":"a4:c1:38:b7:10:01","address_type":"public","name":"BTHome-T1","rssi":-60,"service_data":[{"uuid":"fcd2","data":"40000002ca09"}]}');

    const replayed = new Collector<Advert>();
    const result = await replayRecords({ source: path, pace: 'fast', timestamps: 'recorded', onAdvert: replayed.push });
    expect(result).toEqual({ adverts: 6, malformed: 0, passes: 1 });
    expect(replayed.items.map(formatRecordLine)).toEqual(heard.items.map(formatRecordLine));
    const decoded = replayed.items.map((a) => decodeAdvert(a, { decoder: a.manufacturerData ? 'ruuvi' : 'bthome' }).measurements[0]?.value);
    expect(decoded).toEqual([25.06, 24.3, 25.06, 24.3, 25.06, 24.3]);
  });

  it('keeps the recorded pace through the injected sleep, scaled by speed and capped per gap', async () => {
    const path = file('paced.ndjson', [advert(1000), advert(1500), advert(4500), advert(4500), advert(400_000), advert(300)].map(formatRecordLine).join('\n'));
    const waits: number[] = [];
    const stamps: number[] = [];
    await replayRecords({ source: path, onAdvert: (a) => void stamps.push(a.t), sleep: async (ms) => void waits.push(ms), now: () => 2_000_000 });
    expect(waits).toEqual([500, 3000, 60_000]);
    // Stamped as played: the capped gap and the step back in the file never put one ahead of the clock or behind another.
    expect(stamps).toEqual([2_000_000, 2_000_500, 2_003_500, 2_003_500, 2_063_500, 2_063_500]);
    waits.length = 0;
    stamps.length = 0;
    await replayRecords({ source: path, speed: 4, maxGapMs: 1000, onAdvert: (a) => void stamps.push(a.t), sleep: async (ms) => void waits.push(ms), now: () => 2_000_000 });
    expect(waits).toEqual([125, 750, 1000]);
    expect(stamps).toEqual([2_000_000, 2_000_125, 2_000_875, 2_000_875, 2_001_875, 2_001_875]);
    waits.length = 0;
    stamps.length = 0;
    // As fast as possible: each advert stamped by the clock as it goes.
    let clock = 5_000_000;
    await replayRecords({ source: path, pace: 'fast', onAdvert: (a) => void stamps.push(a.t), sleep: async (ms) => void waits.push(ms), now: () => (clock += 7) });
    expect(waits).toEqual([]);
    expect(stamps).toEqual([5_000_014, 5_000_021, 5_000_028, 5_000_035, 5_000_042, 5_000_049]);
  });

  it('counts malformed lines and goes on: bad JSON, bad fields, overlong lines; blank lines and CRLF are fine', async () => {
    const long = `{"t":1,"address":"a4:c1:38:00:00:01","address_type":"public","rssi":-1,"name":"${'x'.repeat(20_000)}"}`;
    const text = [formatRecordLine(advert(1)), '', 'not json', long, '{"t":2,"address":"zz","address_type":"public","rssi":-1}', `${formatRecordLine(advert(3))}\r`, formatRecordLine(advert(4))].join('\n');
    const problems: [number, string][] = [];
    const got: number[] = [];
    const result = await replayRecords({ source: () => Readable.from([Buffer.from(text.slice(0, 7)), Buffer.from(text.slice(7))]), pace: 'fast', timestamps: 'recorded', onAdvert: (a) => void got.push(a.t), onProblem: (line, reason) => void problems.push([line, reason]) });
    expect(got).toEqual([1, 3, 4]);
    expect(result).toMatchObject({ adverts: 3, malformed: 3 });
    expect(problems).toEqual([[3, 'not a JSON object'], [4, 'line is longer than 16384 bytes'], [5, 'address is not a Bluetooth address like a4:c1:38:12:34:56']]);
  });

  it('loops until aborted, and awaits a slow consumer', async () => {
    const path = file('loop.ndjson', [advert(0), advert(10)].map(formatRecordLine).join('\n'));
    const controller = new AbortController();
    let seen = 0;
    const result = await replayRecords({
      source: path,
      loop: true,
      signal: controller.signal,
      sleep: async () => undefined,
      onAdvert: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        if (++seen === 5) controller.abort();
      },
    });
    expect(result).toMatchObject({ adverts: 5, passes: 3 });
  });

  it('rejects a file it cannot read with a FILE error', async () => {
    const err = await replayRecords({ source: join(dir, 'missing.ndjson'), onAdvert: () => undefined }).catch((e: unknown) => e);
    expect(isBleBridgeError(err, 'FILE')).toBe(true);
    expect(String((err as Error).message)).toContain('missing.ndjson');
    const open = await openRecordWriter(join(dir, 'no-such-dir', 'x.ndjson')).catch((e: unknown) => e);
    expect(isBleBridgeError(open, 'FILE')).toBe(true);
  });

  it('reads a file entry by entry', async () => {
    const entries = [];
    for await (const entry of readRecords(file('two.ndjson', `${formatRecordLine(advert(1))}\n{}\n`))) entries.push('advert' in entry ? entry.advert.t : entry.problem);
    expect(entries).toEqual([1, 't is not a time in ms since the epoch']);
  });
});

describe('the record writer', () => {
  it('drops adverts instead of holding them when the disk falls behind', () => {
    const stalled = new Writable({ highWaterMark: 16, write: () => undefined });
    const writer = createRecordWriter(stalled, { maxPendingBytes: 300 });
    for (let i = 0; i < 10; i++) writer.write(advert(i));
    expect(writer.written).toBeGreaterThan(0);
    expect(writer.written).toBeLessThan(10);
    expect(writer.written + writer.dropped).toBe(10);
  });

  it('reports a failing stream once and drops what follows', async () => {
    const failing = new Writable({ write: (_chunk, _enc, cb) => cb(new Error('disk full')) });
    const writer = createRecordWriter(failing);
    writer.write(advert(1));
    await new Promise((resolve) => failing.once('error', resolve));
    expect(writer.error?.message).toBe('disk full');
    expect(writer.write(advert(2))).toBe(false);
    expect(writer.dropped).toBe(1);
    await writer.close();
    await writer.close();
  });
});
