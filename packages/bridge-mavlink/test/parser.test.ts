import { MavLinkPacketSignature, common } from 'node-mavlink';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkParser, decodePayload, loadDialect, signingKey, type Dialect, type MavlinkFrame, type ParseProblem } from '../src/index.js';
import { crcExtra, encodeV1, encodeV2, payloadOf, rawV1, rawV2, signatureTimestamp } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmHeartbeat } from './helpers/node-mavlink.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const attitude = (t: number, roll = 0.5): Record<string, number> => ({ time_boot_ms: t, roll, pitch: -0.25, yaw: 3, rollspeed: 0, pitchspeed: 0, yawspeed: 0 });
const heartbeat = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };
const concat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);
const kinds = (problems: ParseProblem[]): string[] => problems.map((p) => p.kind);
const ids = (frames: MavlinkFrame[]): string[] => frames.map((f) => `${f.sysid}:${f.message.name}:${f.seq}`);

describe('parsing MAVLink 1 and 2', () => {
  it('reads frames of several systems in both versions, with the fields they were given', () => {
    const parser = createMavlinkParser({ dialect });
    const bytes = concat(
      encodeV2('HEARTBEAT', heartbeat, { sysid: 1, seq: 0 }),
      encodeV1('ATTITUDE', attitude(1000), { sysid: 2, seq: 7 }),
      encodeV2('GLOBAL_POSITION_INT', { time_boot_ms: 1000, lat: -338688000, lon: 1512093000, alt: 5000, relative_alt: 1000, vx: -5, vy: 6, vz: -7, hdg: 35999 }, { sysid: 3, compid: 191, seq: 255 }),
    );
    const { frames, problems } = parser.push(bytes);
    expect(problems).toEqual([]);
    expect(ids(frames)).toEqual(['1:HEARTBEAT:0', '2:ATTITUDE:7', '3:GLOBAL_POSITION_INT:255']);
    expect(frames.map((f) => f.version)).toEqual([2, 1, 2]);
    expect(frames[2]!.compid).toBe(191);
    expect(decodePayload(frames[1]!.message, frames[1]!.payload)).toMatchObject({ time_boot_ms: 1000, roll: 0.5, pitch: -0.25, yaw: 3 });
    expect(decodePayload(frames[2]!.message, frames[2]!.payload)).toEqual({ time_boot_ms: 1000, lat: -338688000, lon: 1512093000, alt: 5000, relative_alt: 1000, vx: -5, vy: 6, vz: -7, hdg: 35999 });
    expect(parser.counts().framesBySystem).toEqual(new Map([[1, 1], [2, 1], [3, 1]]));
  });

  it('reads v2 payloads trimmed of trailing zeros as zeros, and the all-zero payload node-mavlink sends with length 0', () => {
    const parser = createMavlinkParser({ dialect });
    const trimmed = encodeV2('GLOBAL_POSITION_INT', { time_boot_ms: 5, lat: 1 });
    expect(trimmed[1]).toBe(5);
    const zeros = new common.Attitude();
    Object.assign(zeros, { timeBootMs: 0, roll: 0, pitch: 0, yaw: 0, rollspeed: 0, pitchspeed: 0, yawspeed: 0 });
    const empty = nmFrame(zeros);
    expect(empty[1]).toBe(0);
    const { frames, problems } = parser.push(concat(trimmed, empty));
    expect(problems).toEqual([]);
    expect(decodePayload(frames[0]!.message, frames[0]!.payload)).toMatchObject({ time_boot_ms: 5, lat: 1, lon: 0, hdg: 0 });
    expect(decodePayload(frames[1]!.message, frames[1]!.payload)).toMatchObject({ time_boot_ms: 0, roll: 0, yawspeed: 0 });
  });

  it('reads MAVLink 1 frames with and without extension fields (node-mavlink sends them)', () => {
    const parser = createMavlinkParser({ dialect });
    const values = { voltage_battery: 12600, current_battery: 250, battery_remaining: 80, onboard_control_sensors_present_extended: 3 };
    const plain = encodeV1('SYS_STATUS', values);
    const extended = encodeV1('SYS_STATUS', values, { withExtensions: true });
    expect([plain[1], extended[1]]).toEqual([31, 43]);
    const { frames, problems } = parser.push(concat(plain, extended));
    expect(problems).toEqual([]);
    expect(frames.map((f) => decodePayload(f.message, f.payload).onboard_control_sensors_present_extended)).toEqual([0, 3]);
  });

  it('finds the same frames whatever the chunking, down to one byte at a time', () => {
    const stream = concat(
      encodeV2('HEARTBEAT', heartbeat, { seq: 1 }),
      Uint8Array.from([0x00, 0xfe, 0x13, 0xfd]),
      encodeV1('ATTITUDE', attitude(5), { seq: 2 }),
      encodeV2('VFR_HUD', { airspeed: 12.5, groundspeed: 11, heading: 270, throttle: 40, alt: 100.25, climb: -0.5 }, { seq: 3 }),
    );
    const whole = ids(createMavlinkParser({ dialect }).push(stream).frames);
    expect(whole).toEqual(['1:HEARTBEAT:1', '1:ATTITUDE:2', '1:VFR_HUD:3']);
    for (const size of [1, 2, 3, 7, 17, 64]) {
      const parser = createMavlinkParser({ dialect });
      const frames: MavlinkFrame[] = [];
      for (let i = 0; i < stream.length; i += size) frames.push(...parser.push(stream.subarray(i, i + size)).frames);
      expect(ids(frames), `chunks of ${size}`).toEqual(whole);
      expect(parser.held()).toBe(0);
    }
  });
});

describe('bad input is counted, never fatal, and the next valid frame survives', () => {
  it('garbage between frames: counted in bytes, frames on both sides kept', () => {
    const parser = createMavlinkParser({ dialect });
    // A v1 start byte whose header is not plausible (HEARTBEAT with 5 payload bytes), a v2 one with bad flags.
    const noise = Uint8Array.from([0x01, 0x02, 0xfe, 0x05, 0x11, 0x22, 0x33, 0x00, 0xfd, 0x33]);
    const { frames, problems } = parser.push(concat(encodeV2('HEARTBEAT', heartbeat, { seq: 1 }), noise, encodeV2('HEARTBEAT', heartbeat, { seq: 2 })));
    expect(ids(frames)).toEqual(['1:HEARTBEAT:1', '1:HEARTBEAT:2']);
    expect(kinds(problems)).toEqual(['garbage']);
    expect(parser.counts().garbageBytes).toBe(noise.length);
  });

  it('a corrupted frame: counted as crc for its system; the frame right after it is kept', () => {
    const parser = createMavlinkParser({ dialect });
    const bad = encodeV2('ATTITUDE', attitude(10), { sysid: 4, seq: 1 });
    bad[14] = bad[14]! ^ 0x40;
    const { frames, problems } = parser.push(concat(bad, encodeV2('ATTITUDE', attitude(20), { sysid: 4, seq: 2 })));
    expect(ids(frames)).toEqual(['4:ATTITUDE:2']);
    expect(problems).toMatchObject([{ kind: 'crc', sysid: 4, msgid: 30, bytes: bad.length }]);
    expect(parser.counts().problemsBySystem.get(4)).toEqual({ crc: 1 });
  });

  it('a frame cut short at the end of a stream is settled when the stream ends', () => {
    const parser = createMavlinkParser({ dialect });
    const cut = encodeV1('HEARTBEAT', heartbeat, { sysid: 9 }).subarray(0, 12);
    expect(parser.push(cut).problems).toEqual([]);
    expect(parser.held()).toBe(12);
    expect(parser.end().problems).toMatchObject([{ kind: 'truncated', sysid: 9, bytes: 12 }]);
    expect(parser.held()).toBe(0);
  });

  it('an unknown message id: counted per system; the frame after it is kept', () => {
    const parser = createMavlinkParser({ dialect });
    const unknown = rawV2(0xabcdef, Uint8Array.from([1, 2, 0xfd, 4]), 0, { sysid: 5 });
    const { frames, problems } = parser.push(concat(unknown, encodeV2('HEARTBEAT', heartbeat, { sysid: 5, seq: 3 })));
    expect(ids(frames)).toEqual(['5:HEARTBEAT:3']);
    expect(problems).toMatchObject([{ kind: 'unknown_message', sysid: 5, msgid: 0xabcdef, bytes: unknown.length }]);
  });

  it('a truncated v2 frame followed by a valid one: counted as truncated, the valid one kept (stream and datagram)', () => {
    const whole = encodeV2('GLOBAL_POSITION_INT', { time_boot_ms: 9, lat: 123456789, lon: 2, alt: 3, relative_alt: 4, vx: 5, vy: 6, vz: 7, hdg: 8 }, { sysid: 6, seq: 1 });
    const cut = whole.subarray(0, 20);
    const next = encodeV2('HEARTBEAT', heartbeat, { sysid: 6, seq: 2 });

    const stream = createMavlinkParser({ dialect });
    const s = stream.push(concat(cut, next, encodeV2('HEARTBEAT', heartbeat, { sysid: 6, seq: 3 })));
    expect(ids(s.frames)).toEqual(['6:HEARTBEAT:2', '6:HEARTBEAT:3']);
    expect(s.problems).toMatchObject([{ kind: 'truncated', sysid: 6, msgid: 33, bytes: 20 }]);

    const datagrams = createMavlinkParser({ dialect });
    const d1 = datagrams.push(cut, { datagram: true });
    expect(d1.problems).toMatchObject([{ kind: 'truncated', sysid: 6, bytes: 20 }]);
    expect(ids(datagrams.push(next, { datagram: true }).frames)).toEqual(['6:HEARTBEAT:2']);
  });

  it('a MAVLink 1 frame shorter than its message: counted as bad_length', () => {
    const parser = createMavlinkParser({ dialect });
    const short = rawV1(30, payloadOf('ATTITUDE', attitude(1)).subarray(0, 20), crcExtra('ATTITUDE'), { sysid: 8 });
    const { frames, problems } = parser.push(concat(short, encodeV1('HEARTBEAT', heartbeat, { sysid: 8 })));
    expect(ids(frames)).toEqual(['8:HEARTBEAT:0']);
    expect(problems).toMatchObject([{ kind: 'bad_length', sysid: 8, msgid: 30 }]);
  });

  it('unknown incompatibility flags: not a frame (its layout is unknown), the next frame kept', () => {
    const parser = createMavlinkParser({ dialect });
    const odd = encodeV2('HEARTBEAT', heartbeat, { seq: 1 });
    odd[2] = 0x04;
    const { frames } = parser.push(concat(odd, encodeV2('HEARTBEAT', heartbeat, { seq: 2 })));
    expect(ids(frames)).toEqual(['1:HEARTBEAT:2']);
  });

  it('holds at most one unfinished frame between pushes', () => {
    const parser = createMavlinkParser({ dialect });
    // A start byte claiming a 255-byte signed frame, then silence: the parser waits for it, bounded.
    parser.push(Uint8Array.from([0xfd, 0xff, 0x01, 0x00, 0x00, 0x01, 0x01, 0x1e, 0x00, 0x00]));
    for (let i = 0; i < 50; i++) parser.push(new Uint8Array(5));
    expect(parser.held()).toBeLessThan(280);
  });
});

describe('signed frames', () => {
  const key = signingKey('correct horse battery staple');
  const ts = signatureTimestamp(Date.UTC(2026, 0, 1));

  it('derives the key from a passphrase as node-mavlink (and Mission Planner) do', () => {
    expect(Buffer.from(key)).toEqual(MavLinkPacketSignature.key('correct horse battery staple'));
  });

  it('accepts signed frames unchecked without a key, and marks them unverified', () => {
    const parser = createMavlinkParser({ dialect });
    const { frames } = parser.push(encodeV2('HEARTBEAT', heartbeat, { sign: { key, linkId: 3, timestamp: ts } }));
    expect(frames[0]?.signature).toEqual({ linkId: 3, timestamp: ts, verified: false });
  });

  it('verifies signatures with the key: frames signed by the test encoder and by node-mavlink', () => {
    const parser = createMavlinkParser({ dialect, signing: { key } });
    const ours = encodeV2('ATTITUDE', attitude(1), { sysid: 2, sign: { key, linkId: 1, timestamp: ts } });
    const theirs = nmFrame(nmAttitude(2), { sysid: 3, sign: { key: Buffer.from(key), linkId: 4, unixMs: Date.UTC(2026, 0, 1) } });
    const { frames, problems } = parser.push(concat(ours, theirs));
    expect(problems).toEqual([]);
    expect(frames.map((f) => [f.sysid, f.signature?.linkId, f.signature?.verified])).toEqual([[2, 1, true], [3, 4, true]]);
  });

  it('counts signature failures per link id and keeps reading', () => {
    const parser = createMavlinkParser({ dialect, signing: { key } });
    const forged = encodeV2('HEARTBEAT', heartbeat, { sysid: 1, sign: { key: signingKey('wrong'), linkId: 7, timestamp: ts } });
    const good = encodeV2('HEARTBEAT', heartbeat, { sysid: 1, seq: 1, sign: { key, linkId: 2, timestamp: ts + 1 } });
    const { frames, problems } = parser.push(concat(forged, forged, good));
    expect(ids(frames)).toEqual(['1:HEARTBEAT:1']);
    expect(problems).toMatchObject([{ kind: 'bad_signature', linkId: 7 }, { kind: 'bad_signature', linkId: 7 }]);
    expect(parser.counts().signatureProblemsByLink).toEqual(new Map([[7, 2]]));
  });

  it('refuses an old timestamp on a stream with another frame (a replay), and unsigned frames unless allowed', () => {
    const parser = createMavlinkParser({ dialect, signing: { key } });
    const first = encodeV2('HEARTBEAT', heartbeat, { sign: { key, linkId: 0, timestamp: ts } });
    // Signed with the key, but another frame with the same timestamp: not the sender's.
    const replayed = encodeV2('HEARTBEAT', { ...heartbeat, custom_mode: 9 }, { seq: 1, sign: { key, linkId: 0, timestamp: ts } });
    const older = encodeV2('HEARTBEAT', heartbeat, { seq: 2, sign: { key, linkId: 0, timestamp: ts - 1 } });
    const unsigned = encodeV2('HEARTBEAT', heartbeat);
    const { frames, problems } = parser.push(concat(first, replayed, older, unsigned));
    expect(frames).toHaveLength(1);
    expect(kinds(problems)).toEqual(['replayed_signature', 'replayed_signature', 'unsigned']);
    const lenient = createMavlinkParser({ dialect, signing: { key, allowUnsigned: true } });
    expect(lenient.push(unsigned).frames).toHaveLength(1);
  });

  it('takes the same signed frame again (heard over a second route) for a copy, not a replay, within 2 s and 64 frames of its stream', () => {
    const parser = createMavlinkParser({ dialect, signing: { key } });
    const signed = (seq: number, at: number) => encodeV2('HEARTBEAT', heartbeat, { seq, sign: { key, linkId: 0, timestamp: at } });
    const first = signed(0, ts);
    // Two frames later, over the second route: the first again, byte for byte.
    const { frames, problems } = parser.push(concat(first, signed(1, ts + 10), signed(2, ts + 20), first));
    expect(problems).toEqual([]);
    expect(frames.map((f) => [f.seq, f.signature?.copy ?? false])).toEqual([[0, false], [1, false], [2, false], [0, true]]);
    // The same bytes again 2 s (200,000 timestamp units) later are no copy any more: a replay.
    parser.push(signed(3, ts + 200_001));
    expect(kinds(parser.push(first).problems)).toEqual(['replayed_signature']);
    // And a frame more than 64 frames back.
    const recent = Array.from({ length: 65 }, (_, i) => signed(4 + i, ts + 200_002 + i));
    parser.push(concat(...recent));
    expect(kinds(parser.push(recent[0]!).problems)).toEqual(['replayed_signature']);
    expect(parser.push(recent[1]!).frames[0]!.signature?.copy).toBe(true);
  });

  it('a start byte among the signature bytes: a verified frame is read at once; otherwise it waits for the bytes after it, settled when the stream ends', () => {
    // Link id 0xFE is a MAVLink 1 start byte; the timestamp's bytes after it read as the header
    // of a 64-byte HEARTBEAT (length 0x40, message id 0) that would end past this frame: a frame
    // cut there would show as that one's start, so without proof the parser waits to see it.
    const signed = { linkId: 0xfe, timestamp: 0x40 };
    const frame = encodeV2('HEARTBEAT', heartbeat, { sign: { key, ...signed } });
    const checked = createMavlinkParser({ dialect, signing: { key } });
    expect(ids(checked.push(frame).frames)).toEqual(['1:HEARTBEAT:0']);
    expect(checked.held()).toBe(0);

    const unchecked = createMavlinkParser({ dialect });
    expect(unchecked.push(frame)).toEqual({ frames: [], problems: [] });
    expect(unchecked.held()).toBe(frame.length);
    expect(ids(unchecked.end().frames)).toEqual(['1:HEARTBEAT:0']);

    const forged = encodeV2('HEARTBEAT', heartbeat, { sign: { key: signingKey('wrong'), ...signed } });
    const refusing = createMavlinkParser({ dialect, signing: { key } });
    expect(refusing.push(forged)).toEqual({ frames: [], problems: [] });
    expect(kinds(refusing.end().problems)).toEqual(['bad_signature']);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createMavlinkParser({ dialect, signing: { key: new Uint8Array(6) } })).toThrow(/32 bytes/);
  });
});

describe('frames made by node-mavlink', () => {
  it('parses a mixed stream of its v1 and v2 frames', () => {
    const parser = createMavlinkParser({ dialect });
    const sys = new common.SysStatus();
    Object.assign(sys, { voltageBattery: 11100, currentBattery: -1, batteryRemaining: -1, onboardControlSensorsPresent: 1, onboardControlSensorsEnabled: 1, onboardControlSensorsHealth: 1, onboardControlSensorsPresentExtended: 0, onboardControlSensorsEnabledExtended: 0, onboardControlSensorsHealthExtended: 0 });
    const { frames, problems } = parser.push(concat(nmFrame(nmHeartbeat(), { version: 1 }), nmFrame(sys, { version: 1, seq: 1 }), nmFrame(sys, { seq: 2 })));
    expect(problems).toEqual([]);
    expect(frames.map((f) => `${f.version}:${f.message.name}`)).toEqual(['1:HEARTBEAT', '1:SYS_STATUS', '2:SYS_STATUS']);
    expect(frames.map((f) => decodePayload(f.message, f.payload).current_battery)).toEqual([undefined, -1, -1]);
  });
});
