import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createAscReader, parseAscDate } from '../src/frames/asc-line.js';
import type { CanFrame } from '../src/frames/can-frame.js';
import { replayCandumpFile } from '../src/frames/candump-replay.js';
import { sniffLogFormat } from '../src/frames/log-format.js';
import { isTimeZone, wallTimeToEpochMs } from '@fieldbridge/core/bridge';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';
import { expectSamePoints, frameContent, framesOf, pythonCan, vehiclePoints } from './helpers/log-peers.js';

const track = trackCleanups();

const reader = (zone = 'UTC') => createAscReader({ timeZone: zone });
const frameOf = (r: ReturnType<typeof reader>, line: string): CanFrame => {
  const result = r.parse(line);
  if (!result?.ok) throw new Error(`no frame from "${line}": ${JSON.stringify(result)}`);
  return result.frame;
};

// 2023-11-14T22:13:20Z is 1700000000 s; the next day 14:13:20.125 UTC is 16 hours later.
const NOV_15_14_13_20_125 = 1_700_057_600_125;

describe('Vector ASC lines', () => {
  it('reads the header, then classic, extended, remote, error and CAN FD frames at the date plus their offset', () => {
    const r = reader();
    for (const header of ['date Wed Nov 15 02:13:20.125 pm 2023', 'base hex  timestamps absolute', 'internal events logged', '// version 9.0.0', 'Begin Triggerblock Wed Nov 15 02:13:20.125 pm 2023', '   0.000000 Start of measurement']) {
      expect(r.parse(header), header).toBeUndefined();
    }
    const classic = frameOf(r, '   0.010250 1  123             Rx   d 8 01 02 03 04 05 06 07 08  Length = 228000 BitCount = 118 ID = 291');
    expect(classic).toEqual({ id: 0x123, extended: false, fd: false, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), timestampMs: NOV_15_14_13_20_125 + 10.25, timestampSource: 'log', interface: '1' });
    const extended = frameOf(r, '   0.020500 2  18FEF100x       Tx   d 3 0A 0B 0C');
    expect([extended.id, extended.extended, [...extended.data], extended.interface, extended.timestampMs]).toEqual([0x18fef100, true, [10, 11, 12], '2', NOV_15_14_13_20_125 + 20.5]);
    expect(frameOf(r, '   0.030000 1  7FF             Rx   r 2')).toMatchObject({ id: 0x7ff, rtr: true, data: new Uint8Array(0) });
    expect(frameOf(r, '   0.040000 1  ErrorFrame')).toMatchObject({ error: true, interface: '1', timestampMs: NOV_15_14_13_20_125 + 40 });
    // CAN FD: a symbolic name is optional; DLC d is 32 bytes; the timing fields after the data are ignored.
    const data32 = Array.from({ length: 32 }, (_, i) => (i * 17) & 0xff);
    const hex32 = data32.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
    const fd = frameOf(r, `   0.050000 CANFD   1 Rx        1A0  EngineData   1 0 d 32 ${hex32}   130000  130 3000 0 0 0 0 0`);
    expect(fd).toMatchObject({ id: 0x1a0, extended: false, fd: true, brs: true, esi: false, interface: '1', timestampMs: NOV_15_14_13_20_125 + 50 });
    expect([...fd.data]).toEqual(data32);
    const unnamed = frameOf(r, '   0.060000 CANFD   2 Tx   19A0DA21x   0 1 9 12 00 01 02 03 04 05 06 07 08 09 0A 0B   0 0 5000 0 0 0 0 0');
    expect(unnamed).toMatchObject({ id: 0x19a0da21, extended: true, fd: true, brs: false, esi: true, interface: '2' });
    expect(unnamed.data).toHaveLength(12);
    // Events that are not frames are skipped, not counted.
    for (const event of ['   0.070000 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%', '   0.080000 CAN 1 Status:chip status error active', '   0.090000 SV: 1 0 1 ::Engine::Speed = 0', '   0.100000 1  J1939TP FEEBp 7 0 6 - Rx d 23 41 42', 'End TriggerBlock']) {
      expect(r.parse(event), event).toBeUndefined();
    }
  });

  it('reads decimal ids and data, relative timestamps, a trigger block date over the file date, and 12-hour clocks', () => {
    const r = reader();
    r.parse('date Wed Nov 15 12:13:20.125 am 2023');
    r.parse('base dec  timestamps relative');
    r.parse('Begin Triggerblock Wed Nov 15 02:13:20.125 pm 2023');
    const first = frameOf(r, '0.010000 1  291  Rx   d 2 255 16');
    expect([first.id, [...first.data], first.timestampMs]).toEqual([291, [255, 16], NOV_15_14_13_20_125 + 10]);
    // Relative: each time is the gap since the previous event.
    expect(frameOf(r, '0.005500 1  419361024x  Rx   d 0').timestampMs).toBe(NOV_15_14_13_20_125 + 15.5);
    expect(parseAscDate('Wed Nov 15 12:13:20 am 2023')).toMatchObject({ hour: 0, millisecond: 0 });
    expect(parseAscDate('Wed Nov 15 12:13:20.5 pm 2023')).toMatchObject({ hour: 12, millisecond: 500 });
    expect(parseAscDate('Mi Mär 15 14:13:20.125 2023')).toMatchObject({ month: 3, hour: 14 });
    expect(parseAscDate('Wed Nov 15 13:13:20 pm 2023')).toBeUndefined();
    // python-can's ASCWriter cuts the microseconds with str.replace: when they repeat the
    // milliseconds ("20.125125") its date line keeps the point and loses the fraction; when they
    // stand in the year ("...020" in 2020), the year is gone and the line is reported.
    expect(parseAscDate('Wed Nov 15 02:13:20. PM 2023')).toMatchObject({ hour: 14, second: 20, millisecond: 0 });
    expect(parseAscDate('Sun Nov 15 02:13:20.125 PM 2')).toBeUndefined();
  });

  it('counts what is not an ASC frame, naming why, and keeps going', () => {
    const r = reader();
    r.parse('date Wed Nov 15 02:13:20.125 pm 2023');
    const problems = [
      '0.010000 1  12G  Rx   d 1 00',
      '0.010000 1  800  Rx   d 1 00',
      '0.010000 1  123  Rx   d 4 01 02',
      '0.010000 1  123  Rx   d 1 1FF',
      '0.010000 1  123  Rx   q 1 00',
      '0.010000 CANFD 1 Rx 123 1 0 9 13 00',
      'hello',
    ].map((line) => r.parse(line));
    expect(problems.map((p) => (p?.ok === false ? p.message : p))).toEqual([
      'id "12G" is not a CAN id',
      'standard id 800 is over 0x7FF',
      '4 data bytes announced, 2 given',
      'data byte "1FF" is not hexadecimal 0-255',
      '"q" after the direction is neither d (data) nor r (remote)',
      'CAN FD data length "13" is not one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64',
      'not a Vector ASC line (an event starts with its time in seconds, e.g. 0.010250)',
    ]);
    expect(frameOf(r, '0.020000 1  123  Rx   d 1 2A').data).toEqual(Uint8Array.from([42]));
  });

  it('refuses events before any date when the times in the log are kept, naming replay.timestamps', () => {
    const kept = createAscReader({ requireDate: true });
    expect(kept.parse('0.010000 1  123  Rx   d 1 2A')).toMatchObject({ ok: false, kind: 'unsupported', message: expect.stringContaining('replay.timestamps: replay') });
    expect(frameOf(createAscReader(), '0.010000 1  123  Rx   d 1 2A').timestampMs).toBe(10);
  });

  it('tells an ASC log from a candump log by its first line', () => {
    expect(sniffLogFormat('date Wed Nov 15 02:13:20.125 pm 2023')).toBe('asc');
    expect(sniffLogFormat('   0.010250 1  123  Rx   d 1 00')).toBe('asc');
    expect(sniffLogFormat('(1700000000.000000) can0 123#00')).toBe('candump');
  });
});

describe('time zones of ASC dates', () => {
  const wall = { year: 2023, month: 11, day: 15, hour: 14, minute: 13, second: 20, millisecond: 125 };
  it('reads UTC, fixed offsets and IANA zones with their daylight saving', () => {
    expect(wallTimeToEpochMs(wall, 'UTC')).toBe(NOV_15_14_13_20_125);
    expect(wallTimeToEpochMs(wall, '+05:30')).toBe(NOV_15_14_13_20_125 - 5.5 * 3_600_000);
    expect(wallTimeToEpochMs(wall, '-0800')).toBe(NOV_15_14_13_20_125 + 8 * 3_600_000);
    // Berlin is UTC+1 in November and UTC+2 in July.
    expect(wallTimeToEpochMs(wall, 'Europe/Berlin')).toBe(NOV_15_14_13_20_125 - 3_600_000);
    expect(wallTimeToEpochMs({ ...wall, month: 7 }, 'Europe/Berlin')).toBe(Date.UTC(2023, 6, 15, 12, 13, 20, 125));
    expect(['local', 'UTC', '+02:00', 'America/New_York'].every(isTimeZone)).toBe(true);
    expect(['Mars/Olympus', '+2', 'utc+1'].some(isTimeZone)).toBe(false);
  });
});

describe('against python-can (an independent ASC writer)', () => {
  it('every frame of an ASC log python-can wrote equals the same frame in the candump log it wrote, in a zone with daylight saving', async () => {
    const dir = await track.tempDir('bridge-can-asc-');
    const log = join(dir, 'frames.log');
    const asc = join(dir, 'frames.asc');
    // 2023-07-15T12:00:00.125Z: ASCWriter writes 08:00:00.125 AM, New York's summer time.
    await pythonCan(['frames', '1689422400.125', log, asc], 'America/New_York');
    const fromLog = await framesOf(log);
    const fromAsc = await framesOf(asc, { timeZone: 'America/New_York' });
    expect([fromLog.format, fromAsc.format, fromLog.bad, fromAsc.bad]).toEqual(['candump', 'asc', 0, 0]);
    expect(fromAsc.frames).toHaveLength(200);
    expect(fromAsc.frames.map(frameContent)).toEqual(fromLog.frames.map(frameContent));
    // Both writers print microseconds: the times agree to the microsecond.
    fromAsc.frames.forEach((frame, i) => expect(Math.abs(frame.timestampMs - fromLog.frames[i]!.timestampMs), `frame ${i}`).toBeLessThanOrEqual(0.0011));
    expect(fromAsc.frames[0]?.timestampMs).toBe(1_689_422_400_125);
    // python-can's channels 0 and 1 are can0/can1 in candump and 1/2 in ASC.
    expect(fromAsc.frames.slice(0, 2).map((f) => f.interface)).toEqual(['1', '2']);
    expect(fromAsc.frames.some((f) => f.fd && f.brs) && fromAsc.frames.some((f) => f.fd && f.esi) && fromAsc.frames.some((f) => f.rtr) && fromAsc.frames.some((f) => f.error)).toBe(true);
  });

  it('bridge-can gives the same points from a drive converted to ASC by python-can as from the candump log', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 2000 }), (l) => l.close());
    const asc = join(drive.dir, 'drive.asc');
    await pythonCan(['convert', drive.path, asc], 'UTC');
    const fromLog = await vehiclePoints(drive.path, track);
    const fromAsc = await vehiclePoints(asc, track);
    expect(fromAsc.ended).toBe(`${asc} (Vector ASC) replayed to its end: 662 frames from 668 lines`);
    expect(fromAsc.points.length).toBeGreaterThan(1000);
    // The drive starts 2023-11-14T22:13:20Z; python-can's ASC times agree with candump's to the microsecond.
    expect(fromLog.points[0]?.timestamp).toBe(1_700_000_000_000);
    expectSamePoints(fromAsc.points, fromLog.points);
  });
});

describe('a file: interface with an ASC log', () => {
  it("reads the log's date in this machine's zone unless replay.time_zone says, and says which zone it used", async () => {
    const dir = await track.tempDir('bridge-can-asc-');
    const log = join(dir, 'bus.asc');
    await writeFile(log, 'date Wed Nov 15 02:13:20.125 pm 2023\nbase hex  timestamps absolute\n   0.010250 1  0C8  Rx   d 8 00 00 00 00 00 00 00 00\n');
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: asc\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n  messages: [EngineData]\n`);
    const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, '--config', file, '--dry-run'], { env: { ...process.env, TZ: 'Europe/Berlin' } });
    // 14:13:20.125 in Berlin in November (UTC+01:00) is 13:13:20.125 UTC.
    const times = new Set(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { timestamp: number }).timestamp));
    expect([...times]).toEqual([NOV_15_14_13_20_125 - 3_600_000 + 10.25]);
    expect(stderr).toContain(`bus.asc: ${log} is a Vector ASC log, whose start is a wall-clock time without a zone: read in this machine's (Europe/Berlin); replay.time_zone names the zone it was written in`);
  });

  it('says of an error frame that the log records no class of, and what to check', async () => {
    const dir = await track.tempDir('bridge-can-asc-');
    const log = join(dir, 'bus.asc');
    // As CANalyzer writes it: an error frame names its channel only.
    await writeFile(log, 'date Wed Nov 15 02:13:20.125 pm 2023\nbase hex  timestamps absolute\n   0.010250 1  0C8  Rx   d 8 00 00 00 00 00 00 00 00\n   0.020000 1  ErrorFrame\n');
    const file = join(dir, 'map.yaml');
    await writeFile(file, `source_id: asc\nsink: { url: stdout }\ncan:\n  interface: file:${log}\n  dbc: ${VEHICLE_DBC_PATH}\n  replay: { time_zone: UTC }\n`);
    const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
    const { stderr } = await promisify(execFile)(process.execPath, [bin, '--config', file, '--dry-run']);
    expect(stderr).toContain('bus.asc: error frame (the log does not record its class); check the wiring, termination and bit rate of the bus');
  });

  it('replays a log without a date only onto the clock, and says why otherwise', async () => {
    const dir = await track.tempDir('bridge-can-asc-');
    const path = join(dir, 'nodate.asc');
    await writeFile(path, 'base hex  timestamps absolute\n0.010000 1  123  Rx   d 1 2A\n0.020000 1  123  Rx   d 1 2B\n');
    const problems: string[] = [];
    const kept = await replayCandumpFile(path, { onFrame: () => undefined, onProblem: (p) => problems.push(`${p.line}: ${p.message}`) });
    expect([kept.frames, kept.unsupported]).toEqual([0, 2]);
    expect(problems[0]).toContain('2: an event before any date line');
    const frames: CanFrame[] = [];
    const moved = await replayCandumpFile(path, { timestamps: 'replay', pace: 'recorded', clock: { now: () => 5000, sleep: async () => undefined }, onFrame: (f) => void frames.push(f) });
    expect(moved.frames).toBe(2);
    expect(frames.map((f) => f.timestampMs)).toEqual([5000, 5010]);
  });
});
