import { beforeAll, describe, expect, it } from 'vitest';
import { COPY_WINDOW_FRAMES, COPY_WINDOW_MS, createDuplicateFrames } from '../src/duplicate-frames.js';
import { createLinkSurvey } from '../src/link-survey.js';
import { createMavlinkParser, loadDialect, type Dialect, type MavlinkFrame } from '../src/index.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };
const parse = (bytes: Buffer): MavlinkFrame => createMavlinkParser({ dialect }).push(bytes).frames[0]!;

describe('copies of frames', () => {
  it('are the same sequence number, message and checksum again, v1 or v2, signed or not, within the window', () => {
    const copies = createDuplicateFrames();
    const v2 = encodeV2('ATTITUDE', { time_boot_ms: 5_000, roll: 0.5 }, { seq: 7 });
    const v1 = encodeV1('ATTITUDE', { time_boot_ms: 5_000, roll: 0.5 }, { seq: 8 });
    expect(copies.copy(parse(v2), 1_000)).toBe(false);
    expect(copies.copy(parse(v1), 1_010)).toBe(false);
    expect(copies.copy(parse(v2), 1_020)).toBe(true);
    expect(copies.copy(parse(v1), 1_030)).toBe(true);
    // The same number with other content: another frame (a reboot, two senders with one id), not a copy.
    expect(copies.copy(parse(encodeV2('ATTITUDE', { time_boot_ms: 5_020, roll: 0.5 }, { seq: 7 })), 1_040)).toBe(false);
    expect(copies.copy(parse(encodeV2('ATTITUDE', { time_boot_ms: 5_000, roll: 0.5 }, { seq: 7, compid: 2 })), 1_050)).toBe(false);
    expect(copies.copy(parse(encodeV2('ATTITUDE', { time_boot_ms: 5_000, roll: 0.5 }, { seq: 7, sysid: 2 })), 1_060)).toBe(false);
  });

  it('are not what a component sends again after a reboot, byte for byte, longer than the window after', () => {
    const copies = createDuplicateFrames();
    const first = encodeV2('HEARTBEAT', hb, { seq: 0 });
    expect(copies.copy(parse(first), 0)).toBe(false);
    expect(copies.copy(parse(first), COPY_WINDOW_MS + 1)).toBe(false);
    expect(copies.copy(parse(first), COPY_WINDOW_MS + 2)).toBe(true);
  });

  it('are remembered for the last frames of each component only', () => {
    const copies = createDuplicateFrames();
    const frames = Array.from({ length: COPY_WINDOW_FRAMES + 1 }, (_, i) => parse(encodeV2('ATTITUDE', { time_boot_ms: i, roll: i }, { seq: i & 0xff })));
    for (const f of frames) expect(copies.copy(f, 10)).toBe(false);
    expect(copies.copy(frames[0]!, 20)).toBe(false);
    expect(copies.copy(frames[COPY_WINDOW_FRAMES]!, 20)).toBe(true);
  });

  it('are left out of --scan\'s frames and loss', () => {
    const survey = createLinkSurvey();
    const frames = [encodeV2('HEARTBEAT', hb, { seq: 0 })];
    for (let i = 1; i < 10; i++) frames.push(encodeV2('ATTITUDE', { time_boot_ms: i * 20, roll: i }, { seq: i }));
    const parser = createMavlinkParser({ dialect });
    // A second route two frames behind the first.
    for (let i = 0; i < frames.length + 2; i++) {
      if (i < frames.length) survey.read(parser.push(frames[i]!, { datagram: true }), i * 10);
      if (i >= 2) survey.read(parser.push(frames[i - 2]!, { datagram: true }), i * 10 + 5);
    }
    const result = survey.result();
    expect(result.frames).toBe(10);
    expect(result.vehicles[0]!.components[0]).toMatchObject({ received: 10, lost: 0 });
  });
});
