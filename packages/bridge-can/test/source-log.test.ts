import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';

const track = trackCleanups();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/decode/${name}`, import.meta.url));

/** A source on a test context, stopped after the test. */
function source(section: Record<string, unknown>) {
  const t = createTestContext({ bridge: 'can' });
  track.defer(() => t.abort.abort());
  const bridge = track.add(createCanSource(canConfigSchema.parse(section), t.ctx), (b) => b.stop());
  return { t, bridge };
}

/** A log of the given lines in a fresh folder. */
async function log(lines: string[]): Promise<string> {
  const dir = await track.tempDir('bridge-can-source-');
  const path = join(dir, 'bus.log');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('the CAN source replaying a log', () => {
  it('opens nothing before start(), then reads every frame, emits once per frame and ends with the log', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 1000 }), (l) => l.close());
    const { t, bridge } = source({ interface: `file:${drive.path}`, dbc: VEHICLE_DBC_PATH, bus: 'car' });
    expect(bridge.plan()).toBeUndefined();
    expect(t.states).toEqual([{ channel: 'car', state: 'connecting' }]);
    await bridge.start();
    expect(await bridge.ended).toBe(`${drive.path} replayed to its end: 331 frames from 331 lines`);
    expect(bridge.plan()?.summary).toEqual({ messages: 7, signals: 30, selectedMessages: 7, selectedSignals: 30 });
    expect(t.states.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected']);
    // One emit per frame: fieldbridge_source_points_total counts points, the messages metric frames.
    expect(await t.metric('fieldbridge_source_messages_total', { channel: 'car' })).toBe(331);
    expect(await t.metric('fieldbridge_can_frames_total', { bus: 'car', outcome: 'decoded' })).toBe(331);
    expect(await t.metric('fieldbridge_source_points_total', { channel: 'car' })).toBe(t.points.length);
  });

  it('reads the channel replay.channel names, and says so when the log has no frame on it', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 200, interface: 'can1' }), (l) => l.close());
    const right = source({ interface: `file:${drive.path}`, dbc: VEHICLE_DBC_PATH, bus: 'car', replay: { channel: 'can1' } });
    await right.bridge.start();
    expect(await right.bridge.ended).toBe(`${drive.path} replayed to its end: 67 frames from 67 lines`);
    const wrong = source({ interface: `file:${drive.path}`, dbc: VEHICLE_DBC_PATH, bus: 'car', replay: { channel: 2 } });
    await wrong.bridge.start();
    expect(await wrong.bridge.ended).toBe(`${drive.path} replayed to its end: 0 frames from 67 lines, 67 frames of other channels (can1) left out`);
    expect(wrong.t.points).toEqual([]);
    expect(wrong.t.problems.map((p) => p.message)).toContain(`car: no frame of ${drive.path} is on channel 2 (replay.channel); its 67 frames are on can1`);
  });

  it('pauses while the sink is full under when_full: block (a log can wait), and loses nothing', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 200 }), (l) => l.close());
    const { t, bridge } = source({ interface: `file:${drive.path}`, dbc: VEHICLE_DBC_PATH, bus: 'car' });
    t.setBlocked(true);
    await bridge.start();
    await t.waitFor(() => t.states.some((s) => s.state === 'connected'), 'the replay to start');
    // The first frame waits on whenOpen; nothing is emitted, nothing dropped.
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.points).toEqual([]);
    t.setBlocked(false);
    await bridge.ended;
    // 200 ms of the drive: EngineData and SteeringAngle 20 frames each, WheelSpeeds and ImuData
    // 10, Transmission 4, BatteryStatus 2, VehicleDistance 1.
    expect(await t.metric('fieldbridge_can_frames_total', { bus: 'car', outcome: 'decoded' })).toBe(67);
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'car', reason: 'blocked' })).toBe(0);
  });

  it('holds back per series on the frames’ own clock: max_rate_hz, on_change, and J1939 senders kept apart', async () => {
    const path = await log([
      '(1700000000.000000) can0 0CF00400#000000401F000000',
      '(1700000000.000000) can0 0CF00401#000000401F000000',
      '(1700000000.050000) can0 0CF00400#00000080250000FF',
      '(1700000000.050000) can0 0CF00401#00000080250000FF',
      '(1700000000.100000) can0 0CF00400#00000080250000FF',
      '(1700000000.150000) can0 0CF00401#00000080250000FF',
      '(1700000000.200000) can0 0CF00400#00000080250000FF',
    ]);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: fixture('j1939/case.dbc'), max_rate_hz: 10, per_signal: [{ match: 'EEC1.*', on_change: true }] });
    await bridge.start();
    await bridge.ended;
    // Per source address: 0 passes at 0 ms, 50 ms is too soon (rate), 100 ms changed, 200 ms
    // unchanged; 1 passes at 0 ms, 50 ms too soon, 150 ms changed (against 1000, the last sent).
    expect(t.points.map((p) => [p.tags?.source_address, p.value, p.timestamp! - 1_700_000_000_000])).toEqual([
      ['0', 1000, 0],
      ['1', 1000, 0],
      ['0', 1200, 100],
      ['1', 1200, 150],
    ]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'bus.log', reason: 'rate' })).toBe(2);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'bus.log', reason: 'unchanged' })).toBe(1);
  });

  it('reports problems once per episode: short frames per id until a clean frame, unknown ids once for the bus (counted and forwarded for the first max_ids), bad lines once', async () => {
    const path = await log([
      '(1700000000.000000) can0 12C#01',
      '(1700000000.001000) can0 12C#0102',
      '(1700000000.002000) can0 7FF#00',
      '(1700000000.003000) can0 7FE#00',
      '(1700000000.004000) can0 12C#0102030405060708',
      '(1700000000.005000) can0 not a frame',
      '(1700000000.006000) can0 7FD#00',
      'neither is this',
    ]);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: fixture('short-frames/case.dbc'), unknown_frames: { max_ids: 2, forward: true } });
    await bridge.start();
    await bridge.ended;
    expect(t.problems.map((p) => [p.kind, p.key, p.logged ?? null])).toEqual([
      ['report', 'can.bus.log.id.0x12C.short_frame', true],
      ['report', 'can.bus.log.id.0x12C.short_frame', false],
      ['report', 'can.bus.log.unknown_id', true],
      ['report', 'can.bus.log.unknown_id', false],
      ['resolve', 'can.bus.log.id.0x12C.short_frame', null],
      ['report', 'can.bus.log.malformed_line', true],
      ['report', 'can.bus.log.unknown_id', false],
      ['report', 'can.bus.log.malformed_line', false],
    ]);
    expect(t.problems[0]?.message).toBe('bus.log: Short: the frame has 1 of 8 bytes; 4 signals not decoded (B, C, E, D)');
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'bus.log', kind: 'short_frame' })).toBe(2);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'bus.log', kind: 'unknown_id' })).toBe(3);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'bus.log', kind: 'malformed_line' })).toBe(2);
    // Per-id counts are bounded by unknown_frames.max_ids: the third id counts as "other".
    expect(await t.metric('fieldbridge_can_unknown_frames_total', { bus: 'bus.log', id: '0x7FF' })).toBe(1);
    expect(await t.metric('fieldbridge_can_unknown_frames_total', { bus: 'bus.log', id: '0x7FE' })).toBe(1);
    expect(await t.metric('fieldbridge_can_unknown_frames_total', { bus: 'bus.log', id: 'other' })).toBe(1);
    // ...and only those are forwarded: a bus full of stray ids cannot make thousands of metrics.
    expect(t.points.filter((p) => p.metric.startsWith('can.unknown.')).map((p) => p.metric)).toEqual(['can.unknown.0x7FF', 'can.unknown.0x7FE']);
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'bus.log', reason: 'unknown_ids' })).toBe(1);
  });

  it('says a signal past the message\'s declared length is a DBC error, not a short frame', async () => {
    const dir = await track.tempDir('bridge-can-source-');
    const dbc = join(dir, 'mot.dbc');
    // Mot is 8 bytes; TooFar starts at bit 64 (byte 8), past them; Tail (bytes 6-7) fits.
    await writeFile(dbc, ['VERSION ""', '', 'BU_: ECU1', '', 'BO_ 256 Mot: 8 ECU1', ' SG_ Even : 0|8@1+ (1,0) [0|255] "" ECU1', ' SG_ Tail : 48|16@1+ (1,0) [0|65535] "" ECU1', ' SG_ TooFar : 64|8@1+ (1,0) [0|255] "" ECU1', ''].join('\n'));
    // A CAN FD frame of 12 bytes holds TooFar (byte 8): it is decoded from it, as the message says.
    const path = await log(['(1700000000.000000) can0 100#0102030405060708', '(1700000000.001000) can0 100#010203', '(1700000000.002000) can0 100##0010203040506070809000A0B']);
    const { t, bridge } = source({ interface: `file:${path}`, dbc });
    await bridge.start();
    await bridge.ended;
    expect(t.problems.filter((p) => p.kind === 'report').map((p) => p.message)).toEqual([
      "bus.log: Mot: TooFar lies past the message's declared length of 8 bytes, so it is decoded only from frames longer than that (a DBC error: check the start bit and length, or the message's length)",
      "bus.log: Mot: the frame has 3 of 8 bytes; 1 signal not decoded (Tail); TooFar lies past the message's declared length of 8 bytes, so it is decoded only from frames longer than that (a DBC error: check the start bit and length, or the message's length)",
    ]);
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['Mot.Even', 1], ['Mot.Tail', 0x0807], ['Mot.Even', 1], ['Mot.Even', 1], ['Mot.Tail', 0x0807], ['Mot.TooFar', 9]]);
  });

  it('fails its channel, and ends with LOG_READ_FAILED, when the log gave no frame at all while skipping lines (nothing was sent: not a success)', async () => {
    const path = await log(['not a frame', '(1700000000.000000) can0 nor this']);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH });
    await bridge.start();
    await expect(bridge.ended).rejects.toMatchObject({ code: 'LOG_READ_FAILED', message: expect.stringContaining(`${path} replayed to its end: 0 frames from 2 lines, 2 lines skipped: no frame could be read`) });
    expect(t.states.at(-1)).toEqual({ channel: 'bus.log', state: 'failed' });
  });

  it('says when no frame of a log gave a point: ids the DBC files do not define (another vehicle\'s DBC?), messages the mapping leaves out', async () => {
    // 0x7E8 and 0x18DAF100 are in no DBC of the vehicle; 0x0C8 is EngineData, left out by this mapping.
    const path = await log(['(1700000000.000000) can0 7E8#0102', '(1700000000.001000) can0 18DAF100#03', '(1700000000.002000) can0 0C8#401F000000000000']);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH, messages: { exclude: ['EngineData'] } });
    await bridge.start();
    await bridge.ended;
    expect(t.points).toEqual([]);
    expect(t.logs.messages('warn').filter((m) => m.includes('gave a point'))).toEqual([
      `bus.log: no frame of ${path} gave a point: 2 frames have ids no DBC file defines (are ${VEHICLE_DBC_PATH} this bus's DBC files? bridge-can --scan lists the log's ids against them); 1 frame is of messages the mapping leaves out (messages, signals)`,
    ]);
    // One frame read is enough to say nothing.
    const read = source({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH });
    await read.bridge.start();
    await read.bridge.ended;
    expect(read.t.points.length).toBeGreaterThan(0);
    expect(read.t.logs.messages('warn').filter((m) => m.includes('gave a point'))).toEqual([]);
  });

  it('says when a log holds no frame at all (an empty file), and ends as a replay does', async () => {
    const path = await log([]);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: VEHICLE_DBC_PATH });
    await bridge.start();
    await expect(bridge.ended).resolves.toContain('replayed to its end: 0 frames');
    expect(t.logs.messages('warn')).toEqual([`bus.log: ${path} holds no frame: nothing was read from it`]);
  });

  it('with loop, starts over with time going on and never ends; stop() is prompt mid-replay', async () => {
    const path = await log(['(1700000000.000000) can0 100#2A', '(1700000000.010000) can0 100#2B']);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: fixture('unknown-error-remote/case.dbc'), replay: { loop: true } });
    expect(bridge.ended).toBeUndefined();
    await bridge.start();
    await t.waitFor(() => t.points.length >= 6, 'three passes');
    const times = t.points.slice(0, 6).map((p) => p.timestamp! - 1_700_000_000_000);
    // Each pass starts 1 ms after the last frame of the one before.
    expect(times).toEqual([0, 10, 11, 21, 22, 32]);
    await bridge.stop();
    const after = t.points.length;
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.points.length).toBe(after);
  });

  it('a log that disappears after the checks fails its channel, and the run keeps going', async () => {
    const path = await log(['(1700000000.000000) can0 100#2A']);
    const { t, bridge } = source({ interface: `file:${path}.gone`, dbc: fixture('unknown-error-remote/case.dbc') });
    await bridge.start();
    await t.waitFor(() => t.states.some((s) => s.state === 'failed'), 'the channel to fail');
    expect(Object.keys(t.channels())).toEqual(['bus.log.gone']);
    expect(t.channels()).toMatchObject({ 'bus.log.gone': { state: 'failed', required: true, reason: expect.stringMatching(/gone|ENOENT|no such/i) } });
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'bus.log.gone', kind: 'log_read' })).toBe(1);
  });

  it('says when a log stamps its frames ahead of the clock (a wrong start written in it), and replays it as it is', async () => {
    const future = Date.UTC(2080, 0, 1) / 1000;
    const path = await log([`(${future.toFixed(6)}) can0 100#2A`, `(${(future + 0.25).toFixed(6)}) can0 100#2B`]);
    const { t, bridge } = source({ interface: `file:${path}`, dbc: fixture('unknown-error-remote/case.dbc') });
    await bridge.start();
    await bridge.ended;
    expect(t.points.map((p) => p.timestamp)).toEqual([future * 1000, future * 1000 + 250]);
    expect(t.problems.filter((p) => p.kind === 'report').map((p) => p.message)).toEqual([
      `bus.log: ${path} stamps its frames from 2080-01-01T00:00:00.000Z on, ahead of this machine's clock: a wrong start time in the log? replay.timestamps: replay moves the log onto the clock`,
    ]);
  });

  it('timestamps: replay moves the log onto the clock as it is played, never ahead of it', async () => {
    const path = await log(['(1500000000.000000) can0 100#2A', '(1500000000.250000) can0 100#2B']);
    // As fast as possible (the default pace): each frame at the moment it goes, not 250 ms ahead.
    const fast = source({ interface: `file:${path}`, dbc: fixture('unknown-error-remote/case.dbc'), replay: { timestamps: 'replay' } });
    const before = fast.t.ctx.clock.now();
    await fast.bridge.start();
    await fast.bridge.ended;
    const after = fast.t.ctx.clock.now();
    const stamps = fast.t.points.map((p) => p.timestamp!);
    expect(stamps).toHaveLength(2);
    expect(stamps.every((s) => s >= before && s <= after)).toBe(true);
    expect(stamps[1]!).toBeGreaterThanOrEqual(stamps[0]!);
    // At the recorded pace: the first frame now, the gaps kept (see candump.test.ts for speed).
    const paced = source({ interface: `file:${path}`, dbc: fixture('unknown-error-remote/case.dbc'), replay: { timestamps: 'replay', pace: 'recorded' } });
    const start = paced.t.ctx.clock.now();
    await paced.bridge.start();
    await paced.bridge.ended;
    const [first, second] = paced.t.points.map((p) => p.timestamp!);
    expect(first).toBeGreaterThanOrEqual(start);
    expect(second! - first!).toBe(250);
  });
});
