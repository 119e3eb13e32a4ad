import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { readBlfRecords } from '../src/frames/blf-reader.js';
import type { CanFrame } from '../src/frames/can-frame.js';
import { replayCandumpFile, type ReplayStats } from '../src/frames/candump-replay.js';
import { blfContainer, blfHeader, blfObject, canFd64, canMessage, padded } from './helpers/blf-bytes.js';
import { writeDriveLog } from './helpers/drive-log.js';
import { expectSamePoints, frameContent, pythonCan, vehiclePoints } from './helpers/log-peers.js';

const track = trackCleanups();
/** Every frame and problem of a log file, read to its end. */
async function replay(path: string, options: { timeZone?: string; timestamps?: 'log' | 'replay' } = {}): Promise<{ frames: CanFrame[]; problems: string[]; stats: ReplayStats }> {
  const frames: CanFrame[] = [];
  const problems: string[] = [];
  const stats = await replayCandumpFile(path, {
    ...options,
    ...(options.timestamps === 'replay' ? { clock: { now: () => 5000, sleep: async () => undefined } } : {}),
    onFrame: (f) => void frames.push(f),
    onProblem: (p) => problems.push(`${p.kind} ${p.line}: ${p.message}`),
  });
  return { frames, problems, stats };
}

async function fileOf(bytes: Buffer, name = 'log.blf'): Promise<string> {
  const path = join(await track.tempDir('bridge-can-blf-'), name);
  await writeFile(path, bytes);
  return path;
}

// 2023-11-15 14:13:20.125 UTC, in ms since the epoch (2023-11-14T22:13:20Z is 1700000000 s; 16 hours on).
const START: [number, number, number, number, number, number, number] = [2023, 11, 15, 14, 13, 20, 125];
const START_MS = 1_700_057_600_125;
const DATA32 = Array.from({ length: 32 }, (_, i) => (i * 7) & 0xff);

/** Objects written by hand: every frame type, both header versions and time units, a marker to skip. */
function handObjects(): Buffer[] {
  return [
    padded(blfObject(1, canMessage(1, 0x123, false, [1, 2, 3]), { units: 'ns', value: 10_250_000n })),
    padded(blfObject(86, canMessage(2, 0x18fef100, true, [0x0a, 0x0b], { message2: true }), { units: '10us', value: 2050n, version: 2 })),
    padded(blfObject(1, canMessage(1, 0x7ff, false, [], { remote: true }), { units: 'ns', value: 30_000_000n })),
    // A global marker (type 96): not a frame, skipped without a problem.
    padded(blfObject(96, Buffer.alloc(40), { units: 'ns', value: 35_000_000n })),
    padded(blfObject(101, canFd64(1, 0x1a0, false, 13, DATA32, { brs: true }), { units: 'ns', value: 50_000_000n })),
    padded(blfObject(73, Buffer.alloc(32, 0), { units: 'ns', value: 60_000_000n })),
  ];
}

/** The frames `handObjects` hold, worked out by hand. */
const HAND_FRAMES = [
  { id: 0x123, extended: false, fd: false, data: '010203', interface: '1', timestampMs: START_MS + 10.25 },
  { id: 0x18fef100, extended: true, fd: false, data: '0a0b', interface: '2', timestampMs: START_MS + 20.5 },
  { id: 0x7ff, extended: false, fd: false, data: '', rtr: true, interface: '1', timestampMs: START_MS + 30 },
  { id: 0x1a0, extended: false, fd: true, brs: true, esi: false, data: Buffer.from(DATA32).toString('hex'), interface: '1', timestampMs: START_MS + 50 },
  { id: 0, extended: false, fd: false, data: '', error: true, interface: '0', timestampMs: START_MS + 60 },
];

const shown = (frames: CanFrame[]) => frames.map((f) => ({ ...f, data: Buffer.from(f.data).toString('hex'), timestampSource: undefined }));
const expected = HAND_FRAMES.map((f) => ({ ...f, timestampSource: undefined }));

describe('Vector BLF', () => {
  it('reads every frame type from stored and zlib containers, an object running on into the next container included', async () => {
    const inner = Buffer.concat(handObjects());
    // Split the objects' bytes mid-object over a stored and a deflated container, as writers do at 128 KiB.
    const cut = inner.length - 50;
    const file = Buffer.concat([blfHeader(START), blfContainer(inner.subarray(0, cut), 0), blfContainer(inner.subarray(cut), 2)]);
    const { frames, problems, stats } = await replay(await fileOf(file), { timeZone: 'UTC' });
    expect(problems).toEqual([]);
    expect(shown(frames)).toEqual(expected);
    expect(stats).toMatchObject({ format: 'blf', frames: 5, malformed: 0 });
  });

  it('reports damage once and reads on: bytes between objects, a container that does not inflate, a cut-short end', async () => {
    const objects = handObjects();
    const bad = blfContainer(Buffer.from('not deflated at all'), 0);
    bad.writeUInt16LE(2, 16);
    const file = Buffer.concat([
      blfHeader(START),
      blfContainer(Buffer.concat(objects.slice(0, 2)), 2),
      Buffer.alloc(10, 0xee),
      bad,
      blfContainer(Buffer.concat(objects.slice(2, 5)), 2),
      blfContainer(Buffer.concat(objects.slice(5)), 2).subarray(0, 30),
    ]);
    const { frames, problems } = await replay(await fileOf(file), { timeZone: 'UTC' });
    expect(shown(frames)).toEqual(expected.slice(0, 4));
    expect(problems).toEqual([
      'malformed 3: 10 bytes between objects skipped: not a BLF object',
      expect.stringMatching(/^malformed 4: log container that does not inflate: /),
      'malformed 8: the last BLF object is cut short (a file still being written, or truncated)',
    ]);
  });

  it('reads the start time in the zone given, and replays a file without one only onto the clock', async () => {
    const objects = Buffer.concat(handObjects().slice(0, 1));
    const berlin = await replay(await fileOf(Buffer.concat([blfHeader(START), blfContainer(objects, 2)])), { timeZone: 'Europe/Berlin' });
    expect(berlin.frames[0]?.timestampMs).toBe(START_MS - 3_600_000 + 10.25);
    const undated = await fileOf(Buffer.concat([blfHeader(undefined), blfContainer(objects, 2)]));
    const kept = await replay(undated);
    expect([kept.frames.length, kept.problems]).toEqual([0, ['unsupported 1: the BLF file names no start time: its times count from 0 (replay.timestamps: replay moves such a log onto the clock)']]);
    const moved = await replay(undated, { timestamps: 'replay' });
    expect(moved.frames.map((f) => f.timestampMs)).toEqual([5000]);
  });

  it('a file that only looks like BLF, or is not one, gives one problem and no exception', async () => {
    const notBlf = async (bytes: Buffer) => {
      const problems: string[] = [];
      for await (const record of readBlfRecords([bytes])) if (record && !record.ok) problems.push(record.message);
      return problems;
    };
    expect(await notBlf(Buffer.from('LOGG'))).toEqual(['a BLF file cut short in its header']);
    expect(await notBlf(Buffer.from('LOGX\u0090\u0000\u0000\u0000'))).toEqual(['not a BLF file: it does not start with LOGG']);
    const huge = blfHeader(START);
    huge.writeUInt32LE(1_000_000, 4);
    expect(await notBlf(huge)).toEqual(['BLF file header of 1000000 bytes']);
  });

  it('random damage to a file never throws, and what is read stays bounded', async () => {
    const random = seededRandom(11);
    const inner = Buffer.concat(handObjects());
    const good = Buffer.concat([blfHeader(START), blfContainer(inner.subarray(0, 100), 0), blfContainer(inner.subarray(100), 2)]);
    let frames = 0;
    for (let round = 0; round < 400; round++) {
      const bytes = Buffer.from(good);
      const edits = 1 + Math.floor(random() * 8);
      for (let e = 0; e < edits; e++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const cut = random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      // Chunks of random sizes, as a stream delivers them.
      const chunks: Buffer[] = [];
      for (let at = 0; at < cut.length; ) {
        const size = 1 + Math.floor(random() * 200);
        chunks.push(cut.subarray(at, at + size));
        at += size;
      }
      let records = 0;
      for await (const record of readBlfRecords(chunks, { timeZone: 'UTC' })) {
        records++;
        if (record?.ok) {
          frames++;
          expect(record.frame.data.length).toBeLessThanOrEqual(64);
          expect(Number.isFinite(record.frame.timestampMs)).toBe(true);
        }
      }
      expect(records).toBeLessThan(1000);
    }
    expect(frames).toBeGreaterThan(400);
  });
});

describe('Vector BLF against python-can (an independent BLF writer)', () => {
  it('every frame of a BLF file python-can wrote equals the same frame in the candump log it wrote', async () => {
    const dir = await track.tempDir('bridge-can-blf-');
    const log = join(dir, 'frames.log');
    const blf = join(dir, 'frames.blf');
    await pythonCan(['frames', '1689422400.125', log, blf], 'America/New_York');
    const fromLog = await replay(log);
    const fromBlf = await replay(blf, { timeZone: 'America/New_York' });
    expect([fromBlf.stats.format, fromBlf.problems, fromLog.problems]).toEqual(['blf', [], []]);
    expect(fromBlf.frames).toHaveLength(200);
    expect(fromBlf.frames.map(frameContent)).toEqual(fromLog.frames.map(frameContent));
    fromBlf.frames.forEach((frame, i) => expect(Math.abs(frame.timestampMs - fromLog.frames[i]!.timestampMs), `frame ${i}`).toBeLessThanOrEqual(0.0011));
    expect(fromBlf.frames[0]?.timestampMs).toBe(1_689_422_400_125);
    // One channel of the two: python-can's channel 1 is can1 in candump and 2 in BLF.
    const can1 = fromLog.frames.filter((f) => f.interface === 'can1');
    const onlyTwo: CanFrame[] = [];
    const second = await replayCandumpFile(blf, { timeZone: 'America/New_York', channel: '2', onFrame: (f) => void onlyTwo.push(f) });
    expect(onlyTwo.map(frameContent)).toEqual(can1.map(frameContent));
    expect(second.otherChannels).toEqual({ frames: 200 - can1.length, names: ['1'] });
  });

  it('bridge-can gives the same points from a drive converted to BLF by python-can (several containers) as from the candump log', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 10_000 }), (l) => l.close());
    const blf = join(drive.dir, 'drive.blf');
    await pythonCan(['convert', drive.path, blf], 'UTC');
    // More than one 128 KiB container: objects run on from one into the next.
    const containers = (await readFile(blf)).toString('latin1').split('LOBJ').length - 1;
    const fromLog = await vehiclePoints(drive.path, track);
    const fromBlf = await vehiclePoints(blf, track);
    expect(containers).toBeGreaterThan(1);
    expect(fromLog.ended).toBe(`${drive.path} replayed to its end: 3,310 frames from 3,310 lines`);
    expect(fromBlf.ended).toBe(`${blf} (Vector BLF) replayed to its end: 3,310 frames from 3,310 objects`);
    expect(fromLog.points[0]?.timestamp).toBe(1_700_000_000_000);
    expectSamePoints(fromBlf.points, fromLog.points);
  });
});
