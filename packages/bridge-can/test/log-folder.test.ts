import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canBridge, describeCan } from '../src/bridge.js';
import { canConfigSchema, type CanConfig } from '../src/config.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';
import { pythonCan, vehiclePoints } from './helpers/log-peers.js';

const track = trackCleanups();
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

/**
 * A logger's folder: four drives of one second, ten seconds apart, as a candump log, a Vector
 * ASC, a Vector BLF and a PEAK TRC (the last three written by python-can), and a file that is not a log.
 */
async function loggerFolder(): Promise<{ dir: string; files: string[] }> {
  const dir = join(await track.tempDir('bridge-can-folder-'), 'logs');
  await mkdir(dir);
  const drives = await Promise.all([0, 10_000, 20_000, 30_000].map((offset, i) => writeDriveLog({ durationMs: 1000, startMs: 1_700_000_000_000 + offset, seed: i + 1 }).then((d) => track.add(d, (l) => l.close()))));
  const files = [join(dir, '001.log'), join(dir, '002.asc'), join(dir, '003.blf'), join(dir, '004.trc')];
  await copyFile(drives[0]!.path, files[0]!);
  await pythonCan(['convert', drives[1]!.path, files[1]!], 'UTC');
  await pythonCan(['convert', drives[2]!.path, files[2]!], 'UTC');
  await pythonCan(['convert', drives[3]!.path, files[3]!], 'UTC');
  await writeFile(join(dir, 'README.txt'), 'trip of 14 November\n');
  return { dir, files };
}

describe('a folder of logs', () => {
  it('replays every log of the folder in name order, whatever its format, and leaves out what is not a log', async () => {
    const { dir, files } = await loggerFolder();
    const folder = await vehiclePoints(dir, track);
    const one = await Promise.all(files.map((f) => vehiclePoints(f, track)));
    // 331 frames a drive; records: 331 candump lines, 331 ASC events and its 6 header lines, 331
    // BLF objects, 331 TRC messages and its 18 header lines.
    expect(folder.ended).toBe(`${dir} (4 logs) replayed to its end: 1,324 frames from 1,348 records`);
    const strip = (p: { metric: string; value: unknown; timestamp?: number }) => [p.metric, p.value, Math.round(Number(p.timestamp))];
    expect(folder.points.map(strip)).toEqual(one.flatMap((r) => r.points).map(strip));
    // The four drives, ten seconds apart, in order.
    const seconds = new Set(folder.points.map((p) => Math.floor((Number(p.timestamp) - 1_700_000_000_000) / 10_000)));
    expect([...seconds]).toEqual([0, 1, 2, 3]);
  });

  it('reads numbered logs in the order of their numbers: drive_9 before drive_10, a counter past its padding after the ones before', async () => {
    const dir = join(await track.tempDir('bridge-can-numbered-'), 'logs');
    await mkdir(dir);
    // Four drives of 100 ms, a second apart, numbered as a logger would: unpadded, and a 3-digit counter outgrown.
    const names = ['drive_9.log', 'drive_10.log', 'part_999.log', 'part_1000.log'];
    for (const [i, name] of names.entries()) {
      const drive = track.add(await writeDriveLog({ durationMs: 100, startMs: 1_700_000_000_000 + i * 1000, seed: i + 1 }), (l) => l.close());
      await copyFile(drive.path, join(dir, name));
    }
    const { points } = await vehiclePoints(dir, track);
    const seconds = points.map((p) => Math.floor((Number(p.timestamp) - 1_700_000_000_000) / 1000));
    expect([...new Set(seconds)]).toEqual([0, 1, 2, 3]);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
  });

  it('replays a capture kept beside its Vector ASC and BLF exports once, and says which logs it passed over', async () => {
    const dir = join(await track.tempDir('bridge-can-exports-'), 'logs');
    await mkdir(dir);
    const drive = track.add(await writeDriveLog({ durationMs: 1000, seed: 1 }), (l) => l.close());
    const next = track.add(await writeDriveLog({ durationMs: 1000, startMs: 1_700_000_010_000, seed: 2 }), (l) => l.close());
    await copyFile(drive.path, join(dir, 'drive_1.log'));
    // Exported by python-can, an encoder the project did not write: the same frames, in other formats.
    await pythonCan(['convert', drive.path, join(dir, 'drive_1.asc')], 'UTC');
    await pythonCan(['convert', drive.path, join(dir, 'drive_1.blf')], 'UTC');
    await copyFile(next.path, join(dir, 'drive_2.log'));
    const folder = await vehiclePoints(dir, track);
    const one = await Promise.all([join(dir, 'drive_1.asc'), join(dir, 'drive_2.log')].map((f) => vehiclePoints(f, track)));
    // Name order: drive_1.asc is read, drive_1.blf and drive_1.log (its frames again) are passed over, drive_2.log is read.
    expect(folder.ended).toBe(`${dir} (4 logs) replayed to its end: 662 frames from 668 records, 2 logs passed over (the same frames as a log before)`);
    const strip = (p: { metric: string; value: unknown; timestamp?: number }) => [p.metric, p.value, Math.round(Number(p.timestamp))];
    expect(folder.points.map(strip)).toEqual(one.flatMap((r) => r.points).map(strip));
    expect(folder.said).toEqual(['drive_1.blf', 'drive_1.log'].map((name) => `car: ${join(dir, name)} begins with the same frames as ${join(dir, 'drive_1.asc')}, read before it (the same capture in another format?): passed over, so that its points are not sent twice; move one of them out of ${dir} if they are in fact two captures`));

    // --scan counts what a run reads: the two drives, not the exports again.
    const file = join(dir, '..', 'map.yaml');
    await writeFile(file, `source_id: f\nsink: { url: stdout }\ncan:\n  interface: file:${dir}\n  dbc: ${VEHICLE_DBC_PATH}\n  replay: { time_zone: UTC }\n`);
    const scan = await new Promise<{ code: number; stdout: string }>((resolve) => execFile(process.execPath, [BIN, '--config', file, '--scan'], (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout })));
    expect(scan.code).toBe(0);
    expect(scan.stdout.split('\n')[0]).toMatch(new RegExp(`^662 frames from the 4 logs of ${dir} \\(2 passed over: the same frames as a log before\\), `));
  });

  it('passes over a short capture kept beside its export too, but not a log holding only its first frames', async () => {
    const dir = join(await track.tempDir('bridge-can-short-'), 'logs');
    await mkdir(dir);
    const drive = track.add(await writeDriveLog({ durationMs: 100, seed: 3 }), (l) => l.close());
    const head = (await readFile(drive.path, 'utf8')).split('\n').filter(Boolean);
    expect(head.length).toBeGreaterThanOrEqual(16);
    expect(head.length).toBeLessThan(64);
    await copyFile(drive.path, join(dir, 'a_test.log'));
    await pythonCan(['convert', drive.path, join(dir, 'b_test.asc')], 'UTC');
    // The same capture's first half, cut off by a logger that stopped: frames of its own, read.
    await writeFile(join(dir, '0_cut.log'), `${head.slice(0, Math.floor(head.length / 2)).join('\n')}\n`);
    const folder = await vehiclePoints(dir, track);
    const alone = await vehiclePoints(drive.path, track);
    const cut = await vehiclePoints(join(dir, '0_cut.log'), track);
    expect(folder.said).toEqual([`car: ${join(dir, 'b_test.asc')} begins with the same frames as ${join(dir, 'a_test.log')}, read before it (the same capture in another format?): passed over, so that its points are not sent twice; move one of them out of ${dir} if they are in fact two captures`]);
    expect(folder.points.length).toBe(alone.points.length + cut.points.length);
  });

  it('passes over, and names, a log whose times are not dates (an ASC without a date line, a candump log stamped from its logger\'s start), as a single one is refused', async () => {
    const dir = join(await track.tempDir('bridge-can-undated-'), 'logs');
    await mkdir(dir);
    const drive = track.add(await writeDriveLog({ durationMs: 100 }), (l) => l.close());
    await copyFile(drive.path, join(dir, '1.log'));
    await writeFile(join(dir, '2.log'), '(0000000012.000000) can0 0C8#1A0C003C02103900\n');
    await writeFile(join(dir, '3.asc'), 'base hex  timestamps absolute\nBegin Triggerblock\n   0.010000 1  C8             Rx   d 8 1A 0C 00 3C 02 10 39 00\nEnd TriggerBlock\n');
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const bridge = track.add(createCanSource(canConfigSchema.parse({ interface: `file:${dir}`, dbc: VEHICLE_DBC_PATH, bus: 'car', replay: { time_zone: 'UTC' } }), t.ctx), (b) => b.stop());
    await bridge.start();
    expect(await bridge.ended).toBe(`${dir} (3 logs) replayed to its end: 34 frames from 34 records, 2 logs passed over (times that are not dates)`);
    // Only the drive's points, every one dated.
    expect(t.points.length).toBeGreaterThan(0);
    expect(t.points.every((p) => Number(p.timestamp) >= 1_700_000_000_000)).toBe(true);
    const said = t.problems.filter((p) => p.kind === 'report').map((p) => p.message);
    expect(said).toEqual([
      expect.stringMatching(new RegExp(`^car: the candump log ${join(dir, '2.log')} stamps its first frame \\(line 1\\) 12\\.000000 s, before 2001: .*; passed over, the other logs of ${dir} are read$`)),
      expect.stringMatching(new RegExp(`^car: the Vector ASC log ${join(dir, '3.asc')} has no date line before its first event \\(line 3\\): .*; passed over, the other logs of ${dir} are read$`)),
    ]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'car', kind: 'log_read' })).toBe(2);
  });

  it('is refused when it holds no log, and with loop; --scan surveys every log of it', async () => {
    const { dir } = await loggerFolder();
    const empty = join(dir, '..', 'empty');
    await mkdir(empty);
    const load = (iface: string, extra = '') => () => parseMapping(`source_id: f\nsink: { url: stdout }\ncan:\n  interface: file:${iface}\n  dbc: ${VEHICLE_DBC_PATH}\n${extra}`, 'map.yaml', canBridge, {});
    expect(load(empty)).toThrow(`the folder ${empty} holds no log (.log, .asc, .blf, .trc, .mf4)`);
    expect(load(dir, '  replay: { loop: true }\n')).toThrow('can.replay.loop: loop replays one log again and again; a folder of logs is replayed once');
    expect(load(dir)).not.toThrow();
    // --check says what a run reads: every log of the folder, in name order.
    const section = load(dir)().can as CanConfig;
    expect(describeCan(section)[0]).toBe(`logs: the 4 logs of the folder ${dir}, one after another in name order, replayed as fast as taken, with the times in the log`);

    const file = join(dir, '..', 'map.yaml');
    await writeFile(file, `source_id: f\nsink: { url: stdout }\ncan:\n  interface: file:${dir}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const scan = await new Promise<{ code: number; stdout: string }>((resolve) => execFile(process.execPath, [BIN, '--config', file, '--scan'], (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout })));
    expect(scan.code).toBe(0);
    // 4 x 331 frames; the drives laid end to end: each 993 ms from its first frame to its last, 1 ms apart.
    expect(scan.stdout.split('\n')[0]).toBe(`1,324 frames from the 4 logs of ${dir}, 3.975s of traffic`);
    // The candump log names its interface can0, python-can's Vector and PEAK logs channel (bus) 1:
    // two rows, both at the drive's 100/s.
    expect(scan.stdout).toMatch(/^0x0C8\s+1\s+300\s+100\/s\s+8\s+EngineData\s+read$/m);
    expect(scan.stdout).toMatch(/^0x0C8\s+can0\s+100\s+100\/s\s+8\s+EngineData\s+read$/m);
  });
});
