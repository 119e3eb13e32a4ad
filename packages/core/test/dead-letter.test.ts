import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeadLetter } from '../src/sink/dead-letter.js';
import { captureLogger } from './helpers/ws-sink.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'fb-dl-'));
  dirs.push(d);
  return d;
};
const silent = pino({ level: 'silent' });

describe('dead-letter file (issue 10 #7, #20)', () => {
  it('keeps each record bounded: the reason cut to 1,000 characters, a huge point kept as an excerpt', () => {
    const path = join(temp(), 'dl.ndjson');
    const dl = createDeadLetter(path, silent, { sourceId: () => 'plant-a' });
    dl.write([{ metric: 'm', value: 'v'.repeat(1_000_000) }], `HTTP 400: ${'server words '.repeat(100_000)}`);
    dl.close();
    const line = readFileSync(path, 'utf8');
    expect(line.length).toBeLessThan(5000);
    const record = JSON.parse(line) as { reason: string; point: { truncated: boolean; bytes: number } };
    expect(record.reason).toMatch(/more characters\)$/);
    expect(record.point).toMatchObject({ truncated: true, bytes: expect.any(Number) });
  });

  it('records what JSON cannot carry as its type and text: a cycle, a function, deep nesting, a getter that throws', () => {
    const path = join(temp(), 'dl.ndjson');
    const dl = createDeadLetter(path, silent, { sourceId: () => 'plant-a' });
    const cycle: { [k: string]: unknown } = { a: [1] };
    cycle.self = { back: cycle };
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const throwing = Object.defineProperty({ metric: 'g' }, 'value', { enumerable: true, get: () => { throw new Error('sensor gone'); } });
    dl.write([{ metric: 'c', value: cycle }, { metric: 'f', value: function probe() {} }, { metric: 'd', value: deep }, throwing], 'invalid');
    dl.close();
    const points = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { point: unknown }).point);
    expect(points[0]).toEqual({ metric: 'c', value: { a: [1], self: { back: { $type: 'circular', $text: expect.any(String) } } } });
    expect(points[1]).toEqual({ metric: 'f', value: { $type: 'function', $text: expect.stringContaining('probe') } });
    expect(JSON.stringify(points[2])).toContain('{"$type":"object","$text":"nested too deeply"}');
    expect(points[3]).toEqual({ $type: 'object', $text: 'could not be read: sensor gone' });
  });

  it('never takes more than max_bytes: rotates to .1 at half of it, and counts what it discards', () => {
    const dir = temp();
    const path = join(dir, 'dl.ndjson');
    const dl = createDeadLetter(path, silent, { sourceId: () => 'plant-a', maxBytes: 64 * 1024 });
    for (let i = 0; i < 2000; i++) dl.write([{ metric: 'm', value: i }], 'invalid');
    dl.close();
    expect(statSync(path).size + statSync(`${path}.1`).size).toBeLessThanOrEqual(64 * 1024);
    expect(dl.discardedBytes()).toBeGreaterThan(0);
    // The newest record is in the live file.
    expect(readFileSync(path, 'utf8')).toContain('"value":1999');
  });

  it('logs its rotations at most once a minute, the next line saying how many there were', () => {
    const path = join(temp(), 'dl.ndjson');
    const { logger, lines } = captureLogger();
    let t = 0;
    const dl = createDeadLetter(path, logger, { sourceId: () => 'plant-a', maxBytes: 16 * 1024, now: () => t });
    const fill = () => {
      for (let i = 0; i < 500; i++) dl.write([{ metric: 'm', value: i }], 'invalid');
    };
    fill();
    t = 30_000;
    fill();
    const rotations = () => lines().filter((l) => /rotated to/.test(l.msg));
    expect(rotations()).toHaveLength(1);
    t = 61_000;
    fill();
    dl.close();
    expect(rotations()).toHaveLength(2);
    expect(rotations()[1]!.msg).toMatch(/\(\d+ rotations since the last line\)$/);
    expect(rotations()[1]!.rotations).toBeGreaterThan(2);
  });

  it('the null device (a dry run\'s) is never sized or rotated, however much it takes', () => {
    const dl = createDeadLetter(devNull, silent, { sourceId: () => 'plant-a', maxBytes: 1024 });
    for (let i = 0; i < 100; i++) dl.write([{ metric: 'm', value: i }], 'invalid');
    dl.close();
    expect(existsSync(`${devNull}.1`)).toBe(false);
    expect(lstatSync(devNull).isCharacterDevice()).toBe(true);
    // A dry run refuses nothing for real: a --once of it does not fail for these.
    expect(dl.refusedPoints()).toBe(0);
  });

  it('writes owner-only and refuses to follow a symbolic link planted in its place', () => {
    const dir = temp();
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'precious\n');
    const path = join(dir, 'dl.ndjson');
    symlinkSync(target, path);
    const dl = createDeadLetter(path, silent, { sourceId: () => 'plant-a' });
    dl.write([{ metric: 'm', value: 1 }], 'invalid');
    dl.write([{ metric: 'm', value: 2 }, { metric: 'm', value: 3 }], 'invalid');
    dl.close();
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    // Not written, but refused all the same: counted, so that a --once still fails for them.
    expect(dl.refusedPoints()).toBe(3);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);

    const own = join(dir, 'own.ndjson');
    const ok = createDeadLetter(own, silent, { sourceId: () => 'plant-a' });
    ok.write([{ metric: 'm', value: 1 }], 'invalid');
    ok.close();
    expect(existsSync(own) && statSync(own).mode & 0o777).toBe(0o600);
  });

  it('two writers on one path (the sinks of two mapping files): after one rotates, the other writes to the new file, not to .1', () => {
    const path = join(temp(), 'dl.ndjson');
    const options = { sourceId: () => 'plant-a', maxBytes: 8 * 1024 };
    const a = createDeadLetter(path, silent, options);
    const b = createDeadLetter(path, silent, options);
    b.write([{ metric: 'b', value: 'before' }], 'invalid');
    // a's writes and b's line pass half of max_bytes: a rotates the shared file.
    for (let i = 0; i < 40; i++) a.write([{ metric: 'a', value: i }], 'invalid');
    expect(existsSync(`${path}.1`)).toBe(true);
    b.write([{ metric: 'b', value: 'after' }], 'invalid');
    a.close();
    b.close();
    expect(readFileSync(path, 'utf8')).toContain('"value":"after"');
    expect(readFileSync(`${path}.1`, 'utf8')).not.toContain('"value":"after"');
    // Sized as the file is on disk, with both writers' lines: together within max_bytes.
    expect(statSync(path).size + statSync(`${path}.1`).size).toBeLessThanOrEqual(8 * 1024);
  });

  it('a file removed while open (sent again, then deleted) is made again at the next refusal', () => {
    const path = join(temp(), 'dl.ndjson');
    const dl = createDeadLetter(path, silent, { sourceId: () => 'plant-a' });
    dl.write([{ metric: 'm', value: 1 }], 'invalid');
    rmSync(path);
    dl.write([{ metric: 'm', value: 2 }], 'invalid');
    dl.close();
    expect(readFileSync(path, 'utf8')).toContain('"value":2');
  });
});
