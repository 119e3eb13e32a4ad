import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seededRandom, trackCleanups } from '@fieldbridge/core/testing';
import { Mdf } from 'mf4-rs';
import { describe, expect, it } from 'vitest';
import type { CanFrame } from '../src/frames/can-frame.js';
import { readMf4Records } from '../src/frames/mf4/reader.js';
import { simulateDrive } from '../src/simulator/drive.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';
import { expectSamePoints, frameContent, framesOf, vehiclePoints } from './helpers/log-peers.js';
import { canMf4, type CanMf4Options } from './helpers/mf4-can.js';
import { Mf4Builder, cgData, cnData, dgData, hdData } from './helpers/mf4-bytes.js';

const track = trackCleanups();
const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

// 2023-11-14T22:13:20Z.
const START_MS = 1_700_000_000_000;
const START_NS = BigInt(START_MS) * 1_000_000n;

/** 300 frames of every kind: standard and extended ids, 0-8 bytes, CAN FD (BRS, ESI) up to 64, remote and error frames, two buses, µs times. */
function randomFrames(seed: number, count = 300): CanFrame[] {
  const random = seededRandom(seed);
  let t = START_MS + 5;
  return Array.from({ length: count }, (_, i) => {
    t += Math.round(random() * 5000) / 1000;
    const extended = random() < 0.4;
    const frame: CanFrame = { id: Math.floor(random() * (extended ? 0x20000000 : 0x800)), extended, fd: false, data: new Uint8Array(0), timestampMs: t, timestampSource: 'log', interface: String(1 + (i % 2)) };
    const kind = i % 10;
    if (kind === 7) frame.rtr = true;
    else if (kind === 8) {
      frame.fd = true;
      frame.brs = random() < 0.5;
      frame.esi = random() < 0.3;
      frame.data = Uint8Array.from({ length: [12, 16, 20, 24, 32, 48, 64][Math.floor(random() * 7)]! }, () => Math.floor(random() * 256));
    } else if (kind === 9 && i === 99) frame.error = true;
    else frame.data = Uint8Array.from({ length: Math.floor(random() * 9) }, () => Math.floor(random() * 256));
    return frame;
  });
}

async function fileOf(bytes: Buffer, name = 'log.mf4'): Promise<string> {
  const path = join(await track.tempDir('bridge-can-mf4-'), name);
  await writeFile(path, bytes);
  return path;
}

/** Every record of a file: frames and problems' messages. */
async function recordsOf(path: string, options: { timeZone?: string; requireDate?: boolean } = {}): Promise<{ frames: CanFrame[]; problems: string[] }> {
  const frames: CanFrame[] = [];
  const problems: string[] = [];
  for await (const r of readMf4Records(path, options)) {
    if (r.ok) frames.push(r.frame);
    else problems.push(r.message);
  }
  return { frames, problems };
}

function expectSameFrames(got: CanFrame[], want: CanFrame[]): void {
  expect(got.map(frameContent)).toEqual(want.map(frameContent));
  expect(got.map((f) => f.interface)).toEqual(want.map((f) => f.interface));
  got.forEach((f, i) => expect(Math.abs(f.timestampMs - want[i]!.timestampMs), `frame ${i}`).toBeLessThan(0.0005));
}

describe('ASAM MDF 4 logs in the bus logging convention', () => {
  const variants: CanMf4Options[] = [
    { startNs: START_NS },
    { startNs: START_NS, layout: 'flat' },
    { startNs: START_NS, dataBytes: 'vlsd' },
    { startNs: START_NS, dataBytes: 'vlsd-group' },
    { startNs: START_NS, dataBytes: 'vlsd-group', storage: 'dl' },
    { startNs: START_NS, dataBytes: 'vlsd-group', storage: 'dz-transposed', layout: 'flat' },
    { startNs: START_NS, storage: 'dz' },
    { startNs: START_NS, storage: 'dz-transposed' },
    { startNs: START_NS, storage: 'dl' },
    { startNs: START_NS, storage: 'dl-chain' },
    { startNs: START_NS, groups: 'sorted' },
    { startNs: START_NS, groups: 'sorted', storage: 'dl', dataBytes: 'vlsd' },
    { startNs: START_NS, time: 'u64-linear', storage: 'dz-transposed' },
  ];
  it.each(variants.map((v) => [JSON.stringify({ ...v, startNs: undefined }), v] as const))('reads every frame of a file laid out %s', async (_, variant) => {
    const frames = randomFrames(1);
    const { frames: got, problems } = await recordsOf(await fileOf(canMf4(frames, variant)));
    expect(problems).toEqual([]);
    expectSameFrames(got, frames);
  });

  it('reads a start the header marks as a local time in the zone it is given', async () => {
    const frames = randomFrames(2, 20);
    // 22:13:20 on a wall in Berlin in November (UTC+01:00) is 21:13:20 UTC.
    const path = await fileOf(canMf4(frames, { startNs: START_NS, localTime: true }));
    const { frames: got } = await recordsOf(path, { timeZone: 'Europe/Berlin' });
    expectSameFrames(got, frames.map((f) => ({ ...f, timestampMs: f.timestampMs - 3_600_000 })));
  });

  it('reports what keeps a file from being read, and keeps the frames before it', async () => {
    const frames = randomFrames(3, 40);
    const good = canMf4(frames, { startNs: START_NS, gps: false });
    const unfinished = Buffer.from(good);
    unfinished.write('UnFinMF ', 0, 'latin1');
    const v3 = Buffer.from(good);
    v3.writeUInt16LE(330, 28);
    // The last record cut in half; a record id no group has in the middle.
    const cut = good.subarray(0, good.length - 40);
    const { frames: cutFrames, problems: cutProblems } = await recordsOf(await fileOf(cut));
    expect(cutFrames.length).toBeGreaterThan(30);
    expect(cutProblems).toEqual([expect.stringMatching(/^the MDF file cannot be read further: the file ends at \d+, inside a DT block that runs to \d+$/)]);
    const badId = Buffer.from(good);
    const dt = badId.indexOf('##DT', 64, 'latin1');
    // The 11th record's id (a data frame's record is 1 + 80 bytes, a remote or error frame's 1 + 16).
    const eleventh = frames.slice(0, 10).reduce((at, f) => at + (f.rtr || f.error ? 17 : 81), 0);
    badId[dt + 24 + eleventh] = 9;
    const { frames: before, problems: badIdProblems } = await recordsOf(await fileOf(badId));
    expect(badIdProblems).toEqual([expect.stringMatching(/^record id 9 at byte \d+ of a data group's records is none of its channel groups: the rest of the data group cannot be read$/)]);
    expect(before).toHaveLength(10);
    expect((await recordsOf(await fileOf(unfinished))).problems).toEqual(["an unfinalized MDF file (a logger still writing it, or its raw file): finalize it with the logger's tools first"]);
    expect((await recordsOf(await fileOf(v3))).problems).toEqual(["MDF version 3.3: only version 4 (.mf4) is read; convert it with the logger's tools"]);
    expect((await recordsOf(await fileOf(Buffer.from('MDF     short')))).problems).toEqual(['not an MDF file: shorter than its 64-byte identification block']);
  });

  it('says when a file holds no CAN frames, or a CAN group it cannot read', async () => {
    const b = new Mf4Builder();
    const hd: (ReturnType<Mf4Builder['add']> | 0)[] = [0, 0, 0, 0, 0, 0];
    b.add('HD', hd, hdData(START_NS));
    const speed = b.add('CN', [0, 0, b.text('Speed'), 0, 0, 0, 0, 0], cnData({ dataType: 4, byteOffset: 8, bitCount: 64 }));
    const time = b.add('CN', [speed, 0, b.text('t'), 0, 0, 0, 0, 0], cnData({ channelType: 2, syncType: 1, dataType: 4, byteOffset: 0, bitCount: 64 }));
    hd[0] = b.add('DG', [0, b.add('CG', [0, time, 0, 0, 0, 0], cgData({ recordId: 0, records: 0, dataBytes: 16 })), 0, 0], dgData(0));
    expect((await recordsOf(await fileOf(b.bytes()))).problems).toEqual(['the MDF file holds no CAN frames (no CAN_DataFrame, CAN_RemoteFrame or CAN_ErrorFrame channel group)']);

    const noTime = new Mf4Builder();
    const hd2: (ReturnType<Mf4Builder['add']> | 0)[] = [0, 0, 0, 0, 0, 0];
    noTime.add('HD', hd2, hdData(START_NS));
    const id = noTime.add('CN', [0, 0, noTime.text('CAN_DataFrame.ID'), 0, 0, 0, 0, 0], cnData({ dataType: 0, byteOffset: 0, bitCount: 29 }));
    hd2[0] = noTime.add('DG', [0, noTime.add('CG', [0, id, 0, 0, 0, 0], cgData({ recordId: 0, records: 0, dataBytes: 4 })), 0, 0], dgData(0));
    expect((await recordsOf(await fileOf(noTime.bytes()))).problems).toEqual(['the CAN_DataFrame group has no time channel this reader can read']);

    // DataBytes pointing at a VLSD channel group of another data group: said, and the group left out.
    const v42 = new Mf4Builder();
    const hd4: (ReturnType<Mf4Builder['add']> | 0)[] = [0, 0, 0, 0, 0, 0];
    v42.add('HD', hd4, hdData(START_NS));
    const vlsdGroup = v42.add('CG', [0, 0, 0, 0, 0, 0], cgData({ recordId: 2, records: 0, dataBytes: 0, flags: 1 }));
    const bytes4 = v42.add('CN', [0, 0, v42.text('CAN_DataFrame.DataBytes'), 0, 0, vlsdGroup, 0, 0], cnData({ channelType: 1, dataType: 10, byteOffset: 12, bitCount: 64 }));
    const id4 = v42.add('CN', [bytes4, 0, v42.text('CAN_DataFrame.ID'), 0, 0, 0, 0, 0], cnData({ dataType: 0, byteOffset: 8, bitCount: 29 }));
    const time4 = v42.add('CN', [id4, 0, v42.text('t'), 0, 0, 0, 0, 0], cnData({ channelType: 2, syncType: 1, dataType: 4, byteOffset: 0, bitCount: 64 }));
    const other = v42.add('DG', [0, vlsdGroup, 0, 0], dgData(1));
    hd4[0] = v42.add('DG', [other, v42.add('CG', [0, time4, 0, 0, 0, 0], cgData({ recordId: 1, records: 0, dataBytes: 20 })), 0, 0], dgData(1));
    expect((await recordsOf(await fileOf(v42.bytes({ version: 420 })))).problems).toEqual(['CAN_DataFrame.DataBytes points at a channel group that is no VLSD group of its data group']);

    // A group whose records have no bytes would never get past the first.
    const empty = new Mf4Builder();
    const hd3: (ReturnType<Mf4Builder['add']> | 0)[] = [0, 0, 0, 0, 0, 0];
    empty.add('HD', hd3, hdData(START_NS));
    const id3 = empty.add('CN', [0, 0, empty.text('CAN_DataFrame.ID'), 0, 0, 0, 0, 0], cnData({ dataType: 0, byteOffset: 8, bitCount: 29 }));
    const time3 = empty.add('CN', [id3, 0, empty.text('t'), 0, 0, 0, 0, 0], cnData({ channelType: 2, syncType: 1, dataType: 4, byteOffset: 0, bitCount: 64 }));
    hd3[0] = empty.add('DG', [0, empty.add('CG', [0, time3, 0, 0, 0, 0], cgData({ recordId: 0, records: 1, dataBytes: 0 })), empty.add('DT', [], Buffer.alloc(12)), 0], dgData(0));
    expect((await recordsOf(await fileOf(empty.bytes()))).problems).toEqual(["a record of 0 bytes at byte 0 of a data group's records: the rest of the data group cannot be read"]);
  });

  it('reports a frame whose value in the VLSD channel group is missing, and reads the others', async () => {
    const frames = randomFrames(8, 30).filter((f) => !f.rtr && !f.error);
    const bytes = canMf4(frames, { startNs: START_NS, dataBytes: 'vlsd-group', gps: false });
    // The third frame's record points at an offset no value has. Records: a value (id, u32
    // length, bytes), then its frame (id, 24 bytes, the offset at 16).
    const dt = bytes.indexOf('##DT', 64, 'latin1') + 24;
    let at = dt;
    for (let i = 0; i < 2; i++) at += 5 + bytes.readUInt32LE(at + 1) + 25;
    at += 5 + bytes.readUInt32LE(at + 1);
    expect(bytes[at]).toBe(1);
    bytes.writeBigUInt64LE(1n << 40n, at + 1 + 16);
    const { frames: got, problems } = await recordsOf(await fileOf(bytes));
    expect(problems).toEqual(['a record whose DataBytes cannot be read']);
    expectSameFrames(got, [...frames.slice(0, 2), ...frames.slice(3)]);
  });

  it('refuses frames of a file without a start when the times are kept, naming replay.timestamps', async () => {
    const path = await fileOf(canMf4(randomFrames(4, 5), { startNs: 0n }));
    const { frames, problems } = await recordsOf(path, { requireDate: true });
    expect(frames).toEqual([]);
    expect(problems).toEqual(['the MDF file names no start time: its times count from 0 (replay.timestamps: replay moves such a log onto the clock)']);
  });

  it('random byte changes never make it throw', async () => {
    const random = seededRandom(9);
    const bases = [canMf4(randomFrames(5, 60), { startNs: START_NS, storage: 'dl' }), canMf4(randomFrames(5, 60), { startNs: START_NS, dataBytes: 'vlsd-group' })];
    const path = join(await track.tempDir('bridge-can-mf4-'), 'fuzz.mf4');
    let frames = 0;
    for (let round = 0; round < 150; round++) {
      const bytes = Buffer.from(bases[round % 2]!);
      for (let i = 0, n = 1 + Math.floor(random() * 6); i < n; i++) bytes[64 + Math.floor(random() * (bytes.length - 64))] = Math.floor(random() * 256);
      await writeFile(path, round % 10 === 9 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes);
      for (const f of (await recordsOf(path)).frames) {
        frames++;
        expect(f.data.length).toBeLessThanOrEqual(64);
      }
    }
    expect(frames).toBeGreaterThan(1000);
  });
});

describe('against mf4-rs (an independent MDF 4 reader)', () => {
  // mf4-rs reads data groups of one channel group, channels of their own (not a structure's
  // members), DT and DL blocks of whole records, and VLSD signal data.
  it.each([
    ['fixed DataBytes in a DT block', {}],
    ['a DL of DT blocks', { storage: 'dl-whole-records' }],
    ['u64 µs times with a linear conversion', { time: 'u64-linear' }],
    ['DataBytes in signal data (VLSD)', { dataBytes: 'vlsd' }],
  ] as const)('reads the values bridge-can reads, with %s', async (_, variant) => {
    const frames = randomFrames(6).filter((f) => !f.rtr && !f.error);
    const bytes = canMf4(frames, { startNs: START_NS, layout: 'flat', groups: 'sorted', ...variant });
    const ours = (await recordsOf(await fileOf(bytes))).frames;
    const mdf = Mdf.fromBytes(bytes);
    try {
      expect(mdf.startTimeNs()).toBe(START_NS);
      const read = (name: string) => mdf.read(`CAN_DataFrame.${name}`, 'CAN_DataFrame');
      const ids = read('ID');
      const theirs = {
        ms: Object.values(ids.timestamps as unknown as Record<string, number>).map((s) => START_MS + s * 1000),
        id: ids.values as number[],
        ide: read('IDE').values as number[],
        bus: read('BusChannel').values as number[],
        edl: read('EDL').values as number[],
        brs: read('BRS').values as number[],
        length: read('DataLength').values as number[],
        data: (read('DataBytes').values as unknown as Record<string, number>[]).map((d, i) => Object.values(d).slice(0, (read('DataLength').values as number[])[i])),
      };
      expect(ours.map((f) => [f.id, f.extended ? 1 : 0, Number(f.interface), f.fd ? 1 : 0, f.brs ? 1 : 0, f.data.length, [...f.data]])).toEqual(
        theirs.id.map((id, i) => [id, theirs.ide[i], theirs.bus[i], theirs.edl[i], theirs.brs[i], theirs.length[i], theirs.data[i]]),
      );
      ours.forEach((f, i) => expect(Math.abs(f.timestampMs - theirs.ms[i]!), `frame ${i}`).toBeLessThan(0.0005));
    } finally {
      mdf.dispose();
    }
  });
});

describe('a file: interface with an MDF 4 log', () => {
  it('bridge-can gives the same points from a drive written as MDF 4 as from the candump log', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 2000 }), (l) => l.close());
    const frames = [...simulateDrive({ durationMs: 2000 })].map((f) => ({ ...f.frame, timestampSource: 'log' as const, interface: '1' }));
    const mf4 = join(drive.dir, 'drive.mf4');
    await writeFile(mf4, canMf4(frames, { startNs: START_NS, storage: 'dz' }));
    const fromLog = await vehiclePoints(drive.path, track);
    const fromMf4 = await vehiclePoints(mf4, track);
    expect(fromMf4.ended).toMatch(new RegExp(`^${mf4.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ASAM MDF4\\) replayed to its end: 662 frames from 662 records$`));
    expectSamePoints(fromMf4.points, fromLog.points);
    expect((await framesOf(mf4)).format).toBe('mf4');
    // --scan reads it whole, and a folder of logs takes it: beside the candump log of the same
    // drive, as the same capture, read once.
    const file = join(drive.dir, 'map.yaml');
    await writeFile(file, `source_id: f\nsink: { url: stdout }\ncan:\n  interface: file:${drive.dir}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    const { stdout } = await run(process.execPath, [BIN, '--config', file, '--scan']);
    expect(stdout.split('\n')[0]).toBe(`662 frames from the 2 logs of ${drive.dir} (1 passed over: the same frames as a log before), 1.993s of traffic`);
    await writeFile(file, `source_id: f\nsink: { url: stdout }\ncan:\n  interface: file:${mf4}\n  dbc: ${VEHICLE_DBC_PATH}\n`);
    expect((await run(process.execPath, [BIN, '--config', file, '--scan'])).stdout.split('\n')[0]).toBe(`662 frames from the ASAM MDF4 log ${mf4}, 1.993s of traffic`);
  });
});
