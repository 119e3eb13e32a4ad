import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { seededRandom, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { CanFrame } from '../src/frames/can-frame.js';
import { sniffLogFormat } from '../src/frames/log-format.js';
import { createTrcReader, parseTrcStartTime } from '../src/frames/trc-line.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';
import { expectSamePoints, frameContent, framesOf, pythonCan, vehiclePoints } from './helpers/log-peers.js';

const track = trackCleanups();
const run = promisify(execFile);
const PEER = fileURLToPath(new URL('./fixtures/peers/python-can-logs.py', import.meta.url));

const frameOf = (r: ReturnType<typeof createTrcReader>, line: string): CanFrame => {
  const result = r.parse(line);
  if (!result?.ok) throw new Error(`no frame from "${line}": ${JSON.stringify(result)}`);
  return result.frame;
};

/** A reader that has read `header` (each line a header line). */
function readerAfter(header: string[], zone = 'UTC'): ReturnType<typeof createTrcReader> {
  const r = createTrcReader({ timeZone: zone });
  for (const line of header) expect(r.parse(line), line).toBeUndefined();
  return r;
}

// 2023-11-14T22:13:20Z (1,700,000,000 s): day 45,244 after 30 December 1899, and 80,000 of the
// day's 86,400 seconds, 0.925925925... of it.
const START = ';$STARTTIME=45244.9259259259';
const START_MS = 1_700_000_000_000;

describe('PEAK TRC lines', () => {
  it('reads $STARTTIME as days since 30 December 1899, to the millisecond', () => {
    // PEAK's own example: 39414.8339742292 is 28.11.2007; 0.8339742292 x 86,400 s is 72,055.373 s, 20:00:55.373.
    expect(parseTrcStartTime('39414.8339742292')).toEqual({ year: 2007, month: 11, day: 28, hour: 20, minute: 0, second: 55, millisecond: 373 });
    expect(parseTrcStartTime('45244.9259259259')).toEqual({ year: 2023, month: 11, day: 14, hour: 22, minute: 13, second: 20, millisecond: 0 });
    expect(parseTrcStartTime('2.5')).toEqual({ year: 1900, month: 1, day: 1, hour: 12, minute: 0, second: 0, millisecond: 0 });
    for (const bad of ['', 'x', '-1', '45244,92']) expect(parseTrcStartTime(bad), bad).toBeUndefined();
  });

  it('reads version 1.0: a number and ms offset, RTR in the data column, ERROR frames, bus warnings skipped', () => {
    // Version 1.0 names its start only in a comment, day first.
    const r = readerAfter([';##########', ';   C:\\drive.trc', ';   Start time: 14.11.2023 22:13:20.000', ';---+- ---+------+--- + -+ -- -- ...']);
    expect(frameOf(r, '     1)      1841  0123 8  00 01 02 03 04 05 06 07')).toEqual({ id: 0x123, extended: false, fd: false, data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]), timestampMs: START_MS + 1841, timestampSource: 'log' });
    expect(frameOf(r, '     2)      1842  18FEF100 3  0A 0B 0C')).toMatchObject({ id: 0x18fef100, extended: true, data: Uint8Array.from([10, 11, 12]) });
    expect(frameOf(r, '     3)      1843  0004 4  ERROR 00 19 08 08')).toMatchObject({ error: true, timestampMs: START_MS + 1843 });
    expect(r.parse('     4)      1844  FFFFFFFF 4  00 00 00 04 ------BUSLIGHT')).toBeUndefined();
    expect(frameOf(r, '     5)      1845  0100 3  RTR')).toMatchObject({ id: 0x100, rtr: true, data: new Uint8Array(0) });
  });

  it('reads versions 1.1 to 1.3: a type column (Rx, Tx, Warng, Error), then a bus, then a reserved column', () => {
    // PEAK's sample logs give 44548.6028595139 and, in their comment, 18.12.2021 14:28:07.062.
    const at = Date.UTC(2021, 11, 18, 14, 28, 7, 62);
    const v11 = readerAfter([';$FILEVERSION=1.1', ';$STARTTIME=44548.6028595139', ';   Start time: 18.12.2021 14:28:07.062.0']);
    expect(frameOf(v11, '     1)     17535.4  Tx     00000100  8  00 00 00 00 00 00 00 01 ')).toMatchObject({ id: 0x100, extended: true, timestampMs: at + 17535.4 });
    expect(frameOf(v11, '     2)     17536.0  Rx         0100  8  RTR')).toMatchObject({ id: 0x100, extended: false, rtr: true });
    expect(v11.parse('     3)     17540.3  Warng  FFFFFFFF  4  00 00 00 08  BUSHEAVY ')).toBeUndefined();
    expect(frameOf(v11, '     4)     17541.0  Error      0002  5  01 17 00 00 00')).toMatchObject({ error: true });
    const v12 = readerAfter([';$FILEVERSION=1.2', ';$STARTTIME=44548.6028595139']);
    expect(frameOf(v12, '     1)     17535.4 2  Rx     0200  2  AA BB')).toMatchObject({ id: 0x200, interface: '2', data: Uint8Array.from([0xaa, 0xbb]), timestampMs: at + 17535.4 });
    const v13 = readerAfter([';$FILEVERSION=1.3', ';$STARTTIME=44548.6028595139']);
    expect(frameOf(v13, '     1)        17535.4 1  Tx    00000100 -  8    00 00 00 00 00 00 00 02')).toMatchObject({ id: 0x100, extended: true, interface: '1', data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 2]) });
    // Without $STARTTIME, the comment's start (day first) gives the same instant.
    const commentOnly = readerAfter([';$FILEVERSION=1.1', ';   Start time: 18.12.2021 14:28:07.062.0']);
    expect(frameOf(commentOnly, '     1)     17535.4  Tx     0100  1  00').timestampMs).toBe(at + 17535.4);
  });

  it('reads versions 2.0 and 2.1 by their columns: CAN FD with BRS and ESI, remote requests, error frames; status lines skipped', () => {
    const v21 = readerAfter([';$FILEVERSION=2.1', START, ';$COLUMNS=N,O,T,B,I,d,R,L,D']);
    expect(frameOf(v21, '      1      1841.250 DT 1      0123 Rx -  8    00 01 02 03 04 05 06 07')).toEqual({ id: 0x123, extended: false, fd: false, data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]), timestampMs: START_MS + 1841.25, timestampSource: 'log', interface: '1' });
    // L is the DLC: 9 is 12 bytes, 13 is 32.
    const bytes12 = Array.from({ length: 12 }, (_, i) => i);
    const hex = (data: number[]) => data.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
    expect(frameOf(v21, `      2      1842.000 FD 2  18FEF100 Tx -  9    ${hex(bytes12)}`)).toMatchObject({ id: 0x18fef100, extended: true, fd: true, brs: false, esi: false, interface: '2', data: Uint8Array.from(bytes12) });
    const bytes32 = Array.from({ length: 32 }, (_, i) => (i * 7) & 0xff);
    expect(frameOf(v21, `      3      1843.000 FB 1      01A0 Rx -  13   ${hex(bytes32)}`)).toMatchObject({ fd: true, brs: true, esi: false, data: Uint8Array.from(bytes32) });
    expect(frameOf(v21, `      4      1844.000 FE 1      01A0 Rx -  9    ${hex(bytes12)}`)).toMatchObject({ fd: true, brs: false, esi: true });
    expect(frameOf(v21, `      5      1845.000 BI 1      01A0 Rx -  9    ${hex(bytes12)}`)).toMatchObject({ fd: true, brs: true, esi: true });
    expect(frameOf(v21, '      6      1846.000 RR 1      0300 Rx -  4')).toMatchObject({ id: 0x300, rtr: true, data: new Uint8Array(0) });
    expect(frameOf(v21, '      7      1847.000 ER 1      0001 Rx -  5    00 17 00 00 00')).toMatchObject({ error: true, interface: '1' });
    for (const status of ['      8      1848.000 ST 1         - Rx -  4    00 00 00 08', '      9      1849.000 EC 1         - Rx -  2    00 80', '     10      1850.000 EV 1 Trip started']) {
      expect(v21.parse(status), status).toBeUndefined();
    }
    // 2.0 by its columns: l is the length in bytes; a status line leaves its id column empty.
    const v20 = readerAfter([';$FILEVERSION=2.0', START, ';$COLUMNS=N,O,T,I,d,l,D']);
    expect(v20.parse('      2     17540.300 ST          Rx    00 00 00 08')).toBeUndefined();
    expect(frameOf(v20, `      3     17700.300 FD     0123 Rx 12 ${hex(bytes12)}`)).toMatchObject({ id: 0x123, fd: true, data: Uint8Array.from(bytes12), timestampMs: START_MS + 17700.3 });
    expect(frameOf(v20, '      4     17701.000 DT 00000100 Tx 8  00 00 00 00 00 00 00 03').interface).toBeUndefined();
    // Columns in another order, as $COLUMNS allows.
    const reordered = readerAfter([';$FILEVERSION=2.1', START, ';$COLUMNS=N,O,T,B,d,I,l,D']);
    expect(frameOf(reordered, '      1      1.000 DT 3 Rx 0555 2 CA FE')).toMatchObject({ id: 0x555, interface: '3', data: Uint8Array.from([0xca, 0xfe]) });
  });

  it('reads a start in the zone it is given: PEAK writes the local wall clock', () => {
    // 22:13:20 in Berlin in November (UTC+01:00) is 21:13:20 UTC.
    const r = readerAfter([';$FILEVERSION=2.1', START], 'Europe/Berlin');
    expect(frameOf(r, '      1         0.000 DT 1      0123 Rx -  0').timestampMs).toBe(START_MS - 3_600_000);
  });

  it('counts what is not a TRC frame, naming why, and keeps going', () => {
    const v21 = readerAfter([';$FILEVERSION=2.1', START]);
    const problems = [
      '      1      1.000 DT 1      12G3 Rx -  1    00',
      '      1      1.000 DT 1  3FFFFFFFF Rx -  1    00',
      '      1      1.000 DT 1      0123 Rx -  4    01 02',
      '      1      1.000 DT 1      0123 Rx -  1    1FF',
      '      1      x.000 DT 1      0123 Rx -  1    00',
      '      1      1.000 DT x      0123 Rx -  1    00',
      '      1      1.000 DT 1      0123 Rx -  16   00',
      '      1      1.000 dt 1      0123 Rx -  1    00',
    ].map((line) => v21.parse(line));
    expect(problems.map((p) => (p?.ok === false ? p.message : p))).toEqual([
      'id "12G3" is not a CAN id (hex, 4 digits standard, 8 extended)',
      'id "3FFFFFFFF" is not a CAN id (hex, 4 digits standard, 8 extended)',
      '4 data bytes announced, 2 given',
      'data byte "1FF" is not two hex digits',
      'time offset "x.000" is not a number of ms',
      'bus "x" is not a number',
      'DLC "16" is not 0-15',
      'message type "dt" is not a TRC type (DT, FD, FB, FE, BI, RR, ER, ST, EC, EV)',
    ]);
    const headers = [';$FILEVERSION=3.0', ';$STARTTIME=yesterday', ';$COLUMNS=N,O,T,Q,D', ';$COLUMNS=N,O,T,D'].map((line) => createTrcReader().parse(line));
    expect(headers.map((p) => (p?.ok === false ? p.message : p))).toEqual([
      '$FILEVERSION 3.0 is not one this reader knows (1.0 to 1.3, 2.x)',
      '$STARTTIME "yesterday" is not a number of days since 30 December 1899 (e.g. 45244.9258101852)',
      '$COLUMNS names "Q", not a TRC column (N, O, T, B, I, d, R, L, l, D)',
      '$COLUMNS lacks I, L or l',
    ]);
    const v11 = readerAfter([';$FILEVERSION=1.1', START]);
    expect(v11.parse('1 1.0 Rx 0123 1 00')).toMatchObject({ ok: false, message: 'not a PEAK TRC message (it starts with its number, e.g. "1)")' });
    expect(v11.parse('1) 1.0 Rq 0123 1 00')).toMatchObject({ ok: false, message: 'type "Rq" is none of Rx, Tx, Warng, Error' });
    expect(v11.parse('1) 1.0 Rx 0123 9 00')).toMatchObject({ ok: false, message: 'DLC "9" is not 0-8' });
    expect(frameOf(v11, '2) 2.0 Rx 0123 1 2A').data).toEqual(Uint8Array.from([42]));
  });

  it('refuses messages of a log that names no start when its times are kept, naming replay.timestamps', () => {
    const kept = createTrcReader({ requireDate: true });
    expect(kept.parse(';$FILEVERSION=2.1')).toBeUndefined();
    expect(kept.parse('      1      1.000 DT 1      0123 Rx -  1    2A')).toMatchObject({ ok: false, kind: 'unsupported', message: expect.stringContaining('replay.timestamps: replay') });
    expect(frameOf(createTrcReader(), '     1)      10  0123 1  2A').timestampMs).toBe(10);
  });

  it('tells a TRC log by its first line', () => {
    expect(sniffLogFormat(';$FILEVERSION=2.1')).toBe('trc');
    expect(sniffLogFormat(';##########################################################################')).toBe('trc');
    expect(sniffLogFormat('date Wed Nov 15 02:13:20.125 pm 2023')).toBe('asc');
  });
});

/** A TRC log of `count` random classic frames in the layout of `version` (1.0, 1.1 or 2.1), with bus warnings and status lines between them. */
function randomTrc(version: '1.0' | '1.1' | '2.1', count: number, seed: number): string {
  const random = seededRandom(seed);
  const lines = version === '1.0' ? [';   Start time: 14.11.2023 22:13:20.000'] : [`;$FILEVERSION=${version}`, START];
  if (version === '2.1') lines.push(';$COLUMNS=N,O,T,B,I,d,R,L,D');
  let ms = 0;
  for (let n = 1; n <= count; n++) {
    ms += version === '1.0' ? 1 + Math.floor(random() * 50) : Math.round(random() * 50_000) / 1000;
    const extended = random() < 0.4;
    const id = Math.floor(random() * (extended ? 0x20000000 : 0x800));
    const idText = id.toString(16).toUpperCase().padStart(extended ? 8 : 4, '0');
    const data = Array.from({ length: Math.floor(random() * 9) }, () => Math.floor(random() * 256).toString(16).toUpperCase().padStart(2, '0')).join(' ');
    const dir = random() < 0.5 ? 'Rx' : 'Tx';
    const dlc = data === '' ? 0 : data.split(' ').length;
    if (version === '1.0') lines.push(`${String(n).padStart(6)}) ${String(ms).padStart(9)}  ${idText.padStart(8)} ${dlc}  ${data}`);
    else if (version === '1.1') lines.push(`${String(n).padStart(6)}) ${ms.toFixed(1).padStart(11)}  ${dir.padEnd(5)}  ${idText.padStart(8)}  ${dlc}  ${data}`);
    else lines.push(`${String(n).padStart(7)} ${ms.toFixed(3).padStart(13)} DT ${String(1 + Math.floor(random() * 2)).padStart(2)} ${idText.padStart(8)} ${dir} -  ${String(dlc).padEnd(4)} ${data}`);
    if (random() < 0.05) {
      if (version === '1.0') lines.push(`${String(n).padStart(6)}) ${String(ms).padStart(9)}  FFFFFFFF 4  00 00 00 04 ------BUSLIGHT`);
      else if (version === '1.1') lines.push(`${String(n).padStart(6)}) ${ms.toFixed(1).padStart(11)}  Warng  FFFFFFFF  4  00 00 00 08  BUSHEAVY`);
      else lines.push(`${String(n).padStart(7)} ${ms.toFixed(3).padStart(13)} ST  1        - Rx -  4    00 00 00 08`);
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('against python-can (an independent TRC reader and writer)', () => {
  it.each(['1.0', '1.1', '2.1'] as const)('python-can reads the same frames from a version %s log, at the same offsets', async (version) => {
    const dir = await track.tempDir('bridge-can-trc-');
    const path = join(dir, `v${version}.trc`);
    await writeFile(path, randomTrc(version, 300, version.charCodeAt(2)));
    const ours = await framesOf(path, { timeZone: 'UTC' });
    const { stdout } = await run('/usr/bin/python3', [PEER, 'read-trc', path]);
    // python-can 4.1 gives each frame its offset, not the log's start plus it.
    const theirs = stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; extended: boolean; data: string; ms: number; channel: number });
    expect([ours.format, ours.bad, ours.frames.length]).toEqual(['trc', 0, 300]);
    expect(ours.frames.map((f) => [f.id, f.extended, Buffer.from(f.data).toString('hex')])).toEqual(theirs.map((m) => [m.id, m.extended, m.data]));
    ours.frames.forEach((f, i) => expect(Math.abs(f.timestampMs - START_MS - theirs[i]!.ms), `frame ${i}`).toBeLessThan(0.001));
    if (version === '2.1') expect(ours.frames.map((f) => f.interface)).toEqual(theirs.map((m) => String(m.channel)));
  });

  it('every frame of a TRC log python-can wrote equals the same frame in its candump log, in a zone with daylight saving', async () => {
    const dir = await track.tempDir('bridge-can-trc-');
    const log = join(dir, 'frames.log');
    const trc = join(dir, 'frames.trc');
    // 2023-07-15T12:00:00.125Z is 08:00:00.125 in New York's summer time. python-can's TRC writer
    // leaves out remote, error and CAN FD frames: the classic data frames are compared.
    await pythonCan(['frames', '1689422400.125', log, trc], 'America/New_York');
    const fromLog = await framesOf(log);
    const fromTrc = await framesOf(trc, { timeZone: 'America/New_York' });
    const classic = fromLog.frames.filter((f) => !f.fd && !f.rtr && !f.error);
    expect([fromTrc.format, fromTrc.bad, fromTrc.frames.length]).toEqual(['trc', 0, classic.length]);
    expect(fromTrc.frames.map(frameContent)).toEqual(classic.map(frameContent));
    // The writer prints offsets to the microsecond.
    fromTrc.frames.forEach((frame, i) => expect(Math.abs(frame.timestampMs - classic[i]!.timestampMs), `frame ${i}`).toBeLessThanOrEqual(0.0011));
    // python-can's channels 0 and 1 are buses 1 and 2.
    expect(new Set(fromTrc.frames.map((f) => f.interface))).toEqual(new Set(['1', '2']));
  });

  it('bridge-can gives the same points from a drive converted to TRC by python-can as from the candump log', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 2000 }), (l) => l.close());
    const trc = join(drive.dir, 'drive.trc');
    await pythonCan(['convert', drive.path, trc], 'UTC');
    const fromLog = await vehiclePoints(drive.path, track);
    const fromTrc = await vehiclePoints(trc, track);
    // 662 messages after the writer's 18 header lines.
    expect(fromTrc.ended).toBe(`${trc} (PEAK TRC) replayed to its end: 662 frames from 680 lines`);
    expect(fromLog.points[0]?.timestamp).toBe(1_700_000_000_000);
    expectSamePoints(fromTrc.points, fromLog.points);
  });
});

describe('a file: interface with a TRC log', () => {
  it("reads the log's start in this machine's zone unless replay.time_zone says, and says which zone it used", async () => {
    const dir = await track.tempDir('bridge-can-trc-');
    const log = join(dir, 'bus.trc');
    await writeFile(log, `;$FILEVERSION=2.1\r\n${START}\r\n;$COLUMNS=N,O,T,B,I,d,R,L,D\r\n      1        10.250 DT 1      00C8 Rx -  8    00 00 00 00 00 00 00 00\r\n`);
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: trc\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n  messages: [EngineData]\n`);
    const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
    const { stdout, stderr } = await run(process.execPath, [bin, '--config', file, '--dry-run'], { env: { ...process.env, TZ: 'Europe/Berlin' } });
    const times = new Set(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { timestamp: number }).timestamp));
    expect([...times]).toEqual([START_MS - 3_600_000 + 10.25]);
    expect(stderr).toContain(`bus.trc: ${log} is a PEAK TRC log, whose start is a wall-clock time without a zone: read in this machine's (Europe/Berlin); replay.time_zone names the zone it was written in`);
  });
});
