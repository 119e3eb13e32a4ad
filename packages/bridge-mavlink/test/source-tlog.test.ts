import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';
import { prng } from './helpers/random.js';

const { track, run } = sourceRunner();
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const hb = { type: 1, autopilot: 3, base_mode: 209, custom_mode: 10, system_status: 4, mavlink_version: 3 };

/** A .tlog as Mission Planner writes it: each frame after its receive time, 8 bytes big-endian microseconds since the epoch. */
async function tlog(name: string, records: { ms: number; frame: Buffer }[]): Promise<string> {
  const path = join(await track.tempDir('bridge-mavlink-tlog-'), name);
  const parts = records.flatMap((r) => {
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt(r.ms * 1000));
    return [head, r.frame];
  });
  await writeFile(path, Buffer.concat(parts));
  return path;
}

/**
 * A flight of two vehicles as recorded: system 1 (node-mavlink frames, ArduCopter) heartbeats
 * every second, reboots at 2.5 s (its boot clock goes back to 1 s), and keeps its heartbeats;
 * system 2 (the test's encoder, ArduPlane, MAVLink 1 heartbeats) falls silent after 1 s and is
 * back at 4 s. Frames are received 20 ms after their sender's boot clock says they were made,
 * except system 1's last ATTITUDE, held up 30 ms more on the way.
 */
function flight(): { ms: number; frame: Buffer }[] {
  const boot1 = (ms: number): number => 600_000 + ms - 20; // system 1 booted 10 minutes before T0
  const boot1b = (ms: number): number => 1_000 + ms - 2_500 - 20; // and again, 1 s before 2.5 s
  const boot2 = (ms: number): number => 30_000 + ms - 20;
  return [
    { ms: 0, frame: nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 1, seq: 0 }) },
    { ms: 10, frame: encodeV1('HEARTBEAT', hb, { sysid: 2, seq: 0 }) },
    { ms: 100, frame: nmFrame(nmAttitude(boot1(100), 0.125), { sysid: 1, seq: 1 }) },
    { ms: 110, frame: encodeV2('ATTITUDE', { time_boot_ms: boot2(110), roll: -0.5 }, { sysid: 2, seq: 1 }) },
    { ms: 1_000, frame: nmFrame(nmHeartbeat({ customMode: 4 }), { sysid: 1, seq: 2 }) },
    { ms: 1_010, frame: encodeV1('HEARTBEAT', hb, { sysid: 2, seq: 2 }) },
    { ms: 2_000, frame: nmFrame(nmHeartbeat({ customMode: 5 }), { sysid: 1, seq: 3 }) },
    { ms: 2_500, frame: nmFrame(nmAttitude(boot1b(2_500), 0.25), { sysid: 1, seq: 0 }) },
    { ms: 3_000, frame: nmFrame(nmHeartbeat({ customMode: 5 }), { sysid: 1, seq: 1 }) },
    { ms: 3_100, frame: nmFrame(nmAttitude(boot1b(3_100 - 30), 0.375), { sysid: 1, seq: 2 }) },
    { ms: 4_000, frame: encodeV1('HEARTBEAT', { ...hb, custom_mode: 11 }, { sysid: 2, seq: 3 }) },
    { ms: 4_100, frame: encodeV2('ATTITUDE', { time_boot_ms: boot2(4_100), roll: 0.75 }, { sysid: 2, seq: 4 }) },
  ].map((r) => ({ ms: T0 + r.ms, frame: r.frame }));
}

describe('.tlog replay through the bridge', () => {
  it('stamps every point with its recorded time, anchors boot clocks across a reboot, loses and restores a vehicle in recorded time, and ends', async () => {
    const path = await tlog('flight.tlog', flight());
    const { t, source } = await run({ connection: `tlog://${path}`, link_timeout_s: 2, messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } });
    const link = source.channel;
    await t.waitFor(() => Object.keys(t.channels()).length === 1 && t.channels()[link]?.state === 'disconnected', 'the end of the replay');
    // Times in whole ms: a sample placed by an older anchor carries its drift allowance (100 ppm of the age).
    const seen = t.points.map((p) => [p.source_id, p.metric, Math.round(p.timestamp! - T0), p.value]);
    expect(seen).toEqual([
      ['field-a-1', 'vehicle.found', 0, { compid: 1, type: 'QUADROTOR', autopilot: 'ARDUPILOTMEGA' }],
      ['field-a-1', 'link.loss_ratio', 0, 0],
      ['field-a-1', 'mode.changed', 0, { mode: 'GUIDED' }],
      ['field-a-1', 'armed.changed', 0, { armed: true }],
      ['field-a-1', 'heartbeat.flight_mode', 0, 'GUIDED'],
      ['field-a-2', 'vehicle.found', 10, { compid: 1, type: 'FIXED_WING', autopilot: 'ARDUPILOTMEGA' }],
      ['field-a-2', 'link.loss_ratio', 10, 0],
      ['field-a-2', 'mode.changed', 10, { mode: 'AUTO' }],
      ['field-a-2', 'armed.changed', 10, { armed: true }],
      ['field-a-2', 'heartbeat.flight_mode', 10, 'AUTO'],
      // Boot times on the recorded clock: the first sample of a boot clock anchors it at its arrival
      // (a constant delay cannot be seen from one side).
      ['field-a-1', 'attitude.roll', 100, 0.125],
      ['field-a-2', 'attitude.roll', 110, -0.5],
      ['field-a-1', 'link.loss_ratio', 1_000, 0],
      ['field-a-1', 'heartbeat.flight_mode', 1_000, 'GUIDED'],
      ['field-a-2', 'link.loss_ratio', 1_010, 0],
      ['field-a-2', 'heartbeat.flight_mode', 1_010, 'AUTO'],
      ['field-a-1', 'link.loss_ratio', 2_000, 0],
      ['field-a-1', 'mode.changed', 2_000, { mode: 'LOITER', previous: 'GUIDED' }],
      ['field-a-1', 'heartbeat.flight_mode', 2_000, 'LOITER'],
      // The reboot: the boot clock went back 10 minutes; the anchor starts over (the old one would
      // have placed this frame 10 minutes in the past).
      ['field-a-1', 'vehicle.restarted', 2_500, { compid: 1 }],
      ['field-a-1', 'attitude.roll', 2_500, 0.25],
      ['field-a-1', 'link.loss_ratio', 3_000, 0],
      ['field-a-1', 'heartbeat.flight_mode', 3_000, 'LOITER'],
      // Held up 30 ms more than the anchor: placed when it was made, not when it arrived.
      ['field-a-1', 'attitude.roll', 3_070, 0.375],
      // System 2's last heartbeat was at 1.01 s: at the record of 3.1 s, more than 2 s of recorded time.
      ['field-a-2', 'link.lost', 3_100, { since_heartbeat_s: 2.09 }],
      ['field-a-2', 'link.restored', 4_000, { down_s: 2.99 }],
      ['field-a-2', 'link.loss_ratio', 4_000, 0],
      ['field-a-2', 'mode.changed', 4_000, { mode: 'RTL', previous: 'AUTO' }],
      ['field-a-2', 'heartbeat.flight_mode', 4_000, 'RTL'],
      ['field-a-2', 'attitude.roll', 4_100, 0.75],
    ]);
    expect(t.states.filter((s) => s.channel === 'system-2').map((s) => s.state)).toEqual(['connecting', 'connected', 'closed', 'connecting', 'connected', 'closed']);
    expect(source.vehicles().map((v) => [v.sysid, v.flightMode, v.lost])).toEqual([[1, 'LOITER', 0], [2, 'RTL', 0]]);
  });

  it('applies max_rate_hz and on_change per series in recorded time, and counts lost frames per system', async () => {
    // 3 s of a 10 Hz ATTITUDE stream of system 4 and a HEARTBEAT a second (sequence numbers: the
    // heartbeats 0, 11 and 22); the ATTITUDE frames 7 and 8 (0.6 and 0.7 s) and 16-18 (1.4 to
    // 1.6 s) never arrive, lost on the radio.
    const records: { ms: number; frame: Buffer }[] = [];
    const lostSeqs = new Set([7, 8, 16, 17, 18]);
    let seq = 0;
    for (let ms = 0; ms < 3_000; ms += 100) {
      if (ms % 1_000 === 0) {
        if (!lostSeqs.has(seq)) records.push({ ms: T0 + ms, frame: encodeV2('HEARTBEAT', { ...hb, custom_mode: 10 }, { sysid: 4, seq }) });
        seq += 1;
      }
      if (!lostSeqs.has(seq)) records.push({ ms: T0 + ms + 5, frame: encodeV2('ATTITUDE', { time_boot_ms: 50_000 + ms, roll: ms / 1_000, pitch: 0.5 }, { sysid: 4, seq }) });
      seq += 1;
    }
    // One more record an hour later, where the replay is held (by the injected timer) so that the
    // vehicle's channel, and with it its series in the metrics, is still open when they are read.
    const path = await tlog('rates.tlog', [...records, { ms: T0 + 3_600_000, frame: encodeV2('HEARTBEAT', hb, { sysid: 4, seq: 40 }) }]);
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let virtual = 0;
    const timer = {
      now: () => virtual,
      sleep: (ms: number) => {
        if (ms > 60_000) {
          held();
          return new Promise<void>(() => undefined);
        }
        virtual += ms;
        return Promise.resolve();
      },
    };
    const { t, values } = await run(
      { connection: `tlog://${path}?pace=recorded`, messages: { HEARTBEAT: { fields: ['flight_mode'], on_change: true }, ATTITUDE: { fields: ['roll', 'pitch'], max_rate_hz: 2 } } },
      { link: { timer } },
    );
    await holding;
    // At most one point per series every 500 ms of recorded time: the first, then the first at
    // least 500 ms after the last one sent (1.5 and 1.6 s were lost: 1.7 s).
    expect(values('field-a-4', 'attitude.roll')).toEqual([0, 0.5, 1, 1.7, 2.2, 2.7]);
    expect(values('field-a-4', 'attitude.pitch')).toHaveLength(6);
    expect(values('field-a-4', 'heartbeat.flight_mode')).toEqual(['AUTO']);
    const kept = 6 * 2;
    const attitudes = records.length - 3;
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'system-4', reason: 'rate' })).toBe(attitudes * 2 - kept);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'system-4', reason: 'unchanged' })).toBe(2);
    // Loss with each heartbeat: 9 frames and 2 missing since the first, 8 and 3 since the second.
    expect(t.points.filter((p) => p.metric === 'link.loss_ratio').map((p) => p.value)).toEqual([0, 2 / 11, 3 / 11]);
    expect(await t.metric('fieldbridge_mavlink_frames_lost_total', { system: '4' })).toBe(5);
    // Counted up to the last heartbeat: all but the ten ATTITUDE frames after it.
    expect(await t.metric('fieldbridge_mavlink_frames_total', { system: '4' })).toBe(records.length - 10);
  });

  it('holds the replay while the sink is blocked, and goes on once it opens: nothing dropped', async () => {
    const records = flight();
    const path = await tlog('blocked.tlog', records);
    const { t, source } = await run({ connection: `tlog://${path}`, messages: { ATTITUDE: ['roll'] } }, { blocked: true });
    await t.waitFor(() => t.points.length > 0, 'the first record');
    // The first record (system 1's heartbeat) was read before the block was seen; then nothing,
    // however many turns the replay gets.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(t.points.map((p) => p.metric)).toEqual(['vehicle.found', 'link.loss_ratio', 'mode.changed', 'armed.changed']);
    t.setBlocked(false);
    await t.waitFor(() => t.channels()[source.channel]?.state === 'disconnected' && Object.keys(t.channels()).length === 1, 'the end of the replay');
    expect(t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.value)).toEqual([0.125, -0.5, 0.25, 0.375, 0.75]);
    expect(await t.metric('fieldbridge_source_points_dropped_total', { reason: 'blocked' })).toBe(0);
  });

  it('fails the link, without failing start(), when the file cannot be read, and ends the run as a failure', async () => {
    const missing = join(await track.tempDir('bridge-mavlink-tlog-'), 'missing.tlog');
    const { t, source } = await run({ connection: `tlog://${missing}` });
    expect(t.channels()[source.channel]).toEqual({ state: 'failed', required: true, reason: expect.stringContaining('cannot read the tlog file') });
    // Without this the command ran on for ever, reading nothing.
    await expect(source.ended).rejects.toMatchObject({ code: 'OPEN_FAILED', message: expect.stringContaining('cannot read the tlog file') });
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'open_failed' })).toBe(1);
  });

  it('a file with no frame in it (a raw capture, a DataFlash log, random bytes, an empty file) ends the run as a failure that says what a .tlog is', async () => {
    const dir = await track.tempDir('bridge-mavlink-tlog-');
    // The frames of a flight without their timestamps: a raw byte capture, not a .tlog.
    const raw = join(dir, 'raw.tlog');
    await writeFile(raw, Buffer.concat(flight().map((r) => r.frame)));
    const random = join(dir, 'random.tlog');
    await writeFile(random, Buffer.from(prng(5).bytes(4_000)));
    const empty = join(dir, 'empty.tlog');
    await writeFile(empty, Buffer.alloc(0));
    for (const [path, held] of [[raw, /\([\d,]+ bytes that were not \.tlog records skipped\)/], [random, /\(4,000 bytes that were not \.tlog records skipped\)/], [empty, /\(nothing: the file is empty\)/]] as const) {
      const { t, source } = await run({ connection: `tlog://${path}` });
      const err = await source.ended!.then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code, path).toBe('TLOG_READ');
      expect(err?.message).toMatch(held);
      expect(err?.message).toContain('an 8-byte timestamp before each frame');
      expect(t.channels()[source.channel]).toEqual({ state: 'failed', required: true, reason: err?.message });
      expect(t.points).toEqual([]);
    }
  });

  it('a damaged file: the records around the damage are read, and the end says how many bytes were skipped', async () => {
    const records = flight();
    const parts = records.flatMap((r, i) => {
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(r.ms * 1000));
      // 20 bytes of damage (no start byte among them) after the third record.
      return i === 3 ? [head, r.frame, Buffer.alloc(20, 0x55)] : [head, r.frame];
    });
    const path = join(await track.tempDir('bridge-mavlink-tlog-'), 'damaged.tlog');
    await writeFile(path, Buffer.concat(parts));
    const { t, source } = await run({ connection: `tlog://${path}`, messages: { ATTITUDE: ['roll'] } });
    await expect(source.ended).resolves.toBe(`${source.channel} replayed to its end: ${records.length} frames; 20 bytes that were not .tlog records skipped`);
    expect(t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.value)).toEqual([0.125, -0.5, 0.25, 0.375, 0.75]);
  });
});
