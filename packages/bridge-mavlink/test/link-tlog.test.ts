import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MavLinkTLogPacketSplitter } from 'node-mavlink';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkReader, createTlogSplitter, isMavlinkBridgeError, loadDialect, openLink, type Dialect, type ReplayTimer, type TlogLink } from '../src/index.js';
import { cleanups } from './helpers/cleanup.js';
import { collect } from './helpers/collect.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';

const track = cleanups();
let dialect: Dialect;
let dir: string;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
  dir = await mkdtemp(join(tmpdir(), 'fieldbridge-tlog-'));
  return () => rm(dir, { recursive: true, force: true });
});

const T0_US = Date.UTC(2026, 5, 1, 12, 0, 0) * 1000;
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

/** A .tlog record as Mission Planner writes it: 8-byte big-endian microseconds since the epoch, then the frame. */
function record(timestampUs: number, frame: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(timestampUs));
  return Buffer.concat([head, frame]);
}

/** Frames of two vehicles at 100 ms steps, a 2 s gap before the last, as (time, frame). */
function flight(): { us: number; frame: Buffer }[] {
  const frames = [
    nmFrame(nmHeartbeat(), { sysid: 1, seq: 0 }),
    encodeV1('HEARTBEAT', { ...hb, type: 1, custom_mode: 10 }, { sysid: 2, seq: 0 }),
    nmFrame(nmAttitude(60_000), { sysid: 1, seq: 1 }),
    encodeV2('ATTITUDE', { time_boot_ms: 90_000, roll: 0.5 }, { sysid: 2, seq: 1 }),
    nmFrame(nmAttitude(60_100), { sysid: 1, seq: 2 }),
    encodeV2('HEARTBEAT', { ...hb, custom_mode: 6 }, { sysid: 1, seq: 3 }),
  ];
  return frames.map((frame, i) => ({ us: T0_US + i * 100_000 + (i === 5 ? 2_000_000 : 0), frame }));
}

async function tlogFile(name: string, parts: Buffer[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, Buffer.concat(parts));
  return path;
}

function fakeTimer(): ReplayTimer & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('.tlog records', () => {
  it('splits records in any chunking, resynchronising after damage, like node-mavlink\'s tlog splitter on the clean part', async () => {
    const records = flight();
    const clean = Buffer.concat(records.map((r) => record(r.us, r.frame)));
    const damaged = Buffer.concat([clean.subarray(0, 40), Buffer.from([1, 2, 3, 0xfe, 9]), clean.subarray(40)]);
    for (const size of [1, 5, 64, 4096]) {
      const splitter = createTlogSplitter();
      const out: { us: number; hex: string }[] = [];
      let skipped = 0;
      for (let i = 0; i < clean.length; i += size) {
        const r = splitter.push(clean.subarray(i, i + size));
        out.push(...r.records.map((x) => ({ us: x.timestampUs, hex: Buffer.from(x.frame).toString('hex') })));
        skipped += r.skipped;
      }
      skipped += splitter.end().skipped;
      expect(out, `chunks of ${size}`).toEqual(records.map((r) => ({ us: r.us, hex: r.frame.toString('hex') })));
      expect(skipped).toBe(0);
    }
    // Five bytes inserted inside the second record's frame: the splitter cannot check frames, so that
    // record comes out damaged (the MAVLink checksum refuses it later), the five bytes its frame
    // lost are skipped, and the records after it are found again.
    const splitter = createTlogSplitter();
    const r = splitter.push(damaged);
    expect(r.records.map((x) => x.timestampUs)).toEqual(records.map((x) => x.us));
    expect(Buffer.from(r.records[1]!.frame)).not.toEqual(records[1]!.frame);
    expect(r.records.slice(2).map((x) => Buffer.from(x.frame).toString('hex'))).toEqual(records.slice(2).map((x) => x.frame.toString('hex')));
    expect(r.skipped).toBe(5);
    const parsed = createMavlinkReader({ dialect }).read(r.records[1]!.frame, 0, { datagram: true });
    expect(parsed.messages).toEqual([]);

    const path = await tlogFile('clean.tlog', [clean]);
    const theirs: { ms: bigint; hex: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      createReadStream(path)
        .pipe(new MavLinkTLogPacketSplitter())
        .on('data', (p: { buffer: Buffer; timestamp: bigint }) => theirs.push({ ms: p.timestamp, hex: p.buffer.toString('hex') }))
        .on('end', resolve)
        .on('error', reject);
    });
    expect(theirs).toEqual(records.map((x) => ({ ms: BigInt(x.us / 1000), hex: x.frame.toString('hex') })));
  });
});

describe('.tlog replay link', () => {
  it('replays as fast as possible, placing messages at their recorded times', async () => {
    const path = await tlogFile('flight.tlog', flight().map((r) => record(r.us, r.frame)));
    const link = openLink(`tlog://${path}`) as TlogLink;
    track(() => link.close());
    const got = collect(createMavlinkReader({ dialect, deviceClock: { driftPpm: 0 } }), () => 0);
    await link.start(got.handlers);
    await link.done;
    expect(got.states.map((s) => s.state)).toEqual(['open', 'ended']);
    const t0 = T0_US / 1000;
    expect(got.messages.map((m) => [m.sysid, m.name, m.timestampMs - t0, m.time])).toEqual([
      [1, 'HEARTBEAT', 0, 'arrival'],
      [2, 'HEARTBEAT', 100, 'arrival'],
      [1, 'ATTITUDE', 200, 'boot'],
      [2, 'ATTITUDE', 300, 'boot'],
      [1, 'ATTITUDE', 300, 'boot'],
      [1, 'HEARTBEAT', 2500, 'arrival'],
    ]);
    expect(got.events.filter((e) => e.kind === 'mode.changed').map((e) => (e.kind === 'mode.changed' ? `${e.sysid}:${e.mode}` : ''))).toEqual(['1:GUIDED', '2:AUTO', '1:RTL']);
    expect(got.chunks.every((c) => c.datagram && c.peer === `tlog:${path}`)).toBe(true);
  });

  it('replays at the recorded pace through the injected timer, faster with speed', async () => {
    const path = await tlogFile('paced.tlog', flight().map((r) => record(r.us, r.frame)));
    for (const [speed, gaps] of [[1, [100, 100, 100, 100, 2100]], [4, [25, 25, 25, 25, 525]]] as const) {
      const timer = fakeTimer();
      const link = openLink(`tlog://${path}?pace=recorded&speed=${speed}`, { timer }) as TlogLink;
      track(() => link.close());
      const got = collect(createMavlinkReader({ dialect }));
      await link.start(got.handlers);
      await link.done;
      expect(timer.slept).toEqual(gaps);
      expect(got.messages).toHaveLength(6);
    }
  });

  it('holds records back while paused', async () => {
    const path = await tlogFile('pause.tlog', flight().map((r) => record(r.us, r.frame)));
    const link = openLink(`tlog://${path}`) as TlogLink;
    track(() => link.close());
    const got = collect(createMavlinkReader({ dialect }));
    let pausedOnce = false;
    await link.start({
      ...got.handlers,
      data(chunk) {
        got.handlers.data(chunk);
        if (!pausedOnce) {
          pausedOnce = true;
          link.pause();
        }
      },
    });
    // Wait for the first chunk (reading the file takes what it takes), then give the replay
    // many turns in which it must not go on while paused.
    for (let i = 0; !pausedOnce && i < 100_000; i++) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(link.stats().chunks).toBe(1);
    link.resume();
    await link.done;
    expect(link.stats().chunks).toBe(6);
  });

  it('closes promptly in the middle of a paced wait', async () => {
    const path = await tlogFile('slow.tlog', flight().map((r) => record(r.us, r.frame)));
    const never: ReplayTimer = { now: () => 0, sleep: () => new Promise(() => undefined) };
    const link = openLink(`tlog://${path}?pace=recorded`, { timer: never }) as TlogLink;
    const got = collect(createMavlinkReader({ dialect }));
    await link.start(got.handlers);
    await got.until(() => got.messages.length === 1, 'the first record');
    await link.close();
    expect(got.messages).toHaveLength(1);
    expect(got.states.map((s) => s.state)).toEqual(['open']);
  });

  it('refuses a file it cannot read', async () => {
    const link = openLink(`tlog://${join(dir, 'missing.tlog')}`);
    const error = await link.start({ data: () => undefined }).then(() => undefined, (err: unknown) => err);
    expect(isMavlinkBridgeError(error, 'OPEN_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/cannot read the tlog file .*missing\.tlog/);
    await link.close();
  });
});
