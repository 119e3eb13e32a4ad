// Fuzzing with seeded random streams, so every run is the same and a failure names its seed.
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkParser, createMavlinkReader, loadDialect, MAX_FRAME_LENGTH, signingKey, type Dialect, type MavlinkFrame } from '../src/index.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { prng } from './helpers/random.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const SEEDS = [1, 2, 3, 5, 8, 13, 21, 34];

/** A random valid frame (v1 or v2, signed or not) with a recognisable (sysid, seq) pair. */
function randomFrame(r: ReturnType<typeof prng>, n: number): Buffer {
  const sysid = 1 + r.int(250);
  const seq = n & 0xff;
  const t = r.int(1e9);
  switch (r.int(5)) {
    case 0:
      return encodeV1('ATTITUDE', { time_boot_ms: t, roll: r.next(), pitch: -r.next() }, { sysid, seq });
    case 1:
      return encodeV2('GLOBAL_POSITION_INT', { time_boot_ms: t, lat: r.int(9e8) - 45e7, lon: r.int(1.8e9) - 9e8, alt: r.int(1e6) }, { sysid, seq });
    case 2:
      return encodeV2('HEARTBEAT', { type: r.int(30), autopilot: 3, base_mode: r.int(256), custom_mode: r.int(30), system_status: 4, mavlink_version: 3 }, { sysid, seq });
    case 3:
      return encodeV2('VFR_HUD', { airspeed: r.next() * 30, groundspeed: r.next() * 30, heading: r.int(360), throttle: r.int(100), alt: r.next() * 500, climb: r.next() }, { sysid, seq, sign: { key: signingKey('k'), linkId: r.int(256), timestamp: t } });
    default:
      return encodeV2('SYS_STATUS', { voltage_battery: r.int(65535), current_battery: r.int(3000), battery_remaining: r.int(100) }, { sysid, seq });
  }
}

const key = (f: MavlinkFrame): string => Buffer.from(f.bytes).toString('hex');

describe('fuzzed byte streams', () => {
  it('random bytes never throw, in any chunking, and the parser holds less than one frame', () => {
    for (const seed of SEEDS) {
      const r = prng(seed);
      const parser = createMavlinkParser({ dialect, signing: { key: signingKey('k'), allowUnsigned: true } });
      let bytes = 0;
      while (bytes < 256 * 1024) {
        // Random bytes with start bytes made common, so that many candidate headers are tried.
        const chunk = r.bytes(1 + r.int(700)).map((b) => (b < 24 ? 0xfd : b < 48 ? 0xfe : b));
        expect(() => parser.push(chunk, { datagram: r.int(4) === 0 })).not.toThrow();
        expect(parser.held()).toBeLessThan(MAX_FRAME_LENGTH);
        bytes += chunk.length;
      }
      expect(() => parser.end()).not.toThrow();
      const counts = parser.counts();
      expect(counts.bytes, `seed ${seed}`).toBe(bytes);
    }
  });

  it('no valid frame is lost to the garbage, broken frames or chunk boundaries before it', () => {
    for (const seed of SEEDS) {
      const r = prng(seed);
      const parts: Buffer[] = [];
      const expected: string[] = [];
      for (let n = 0; n < 400; n++) {
        const roll = r.int(6);
        if (roll === 0) parts.push(Buffer.from(r.bytes(1 + r.int(300)).map((b) => (b < 40 ? 0xfe : b < 80 ? 0xfd : b))));
        if (roll === 1) {
          // A frame cut short at a random point.
          const cut = randomFrame(r, n);
          parts.push(cut.subarray(0, 1 + r.int(cut.length - 1)));
        }
        if (roll === 2) {
          // A frame with one bit flipped (the start byte excepted, which would only make it garbage).
          const bad = Buffer.from(randomFrame(r, n));
          const at = 1 + r.int(bad.length - 1);
          bad[at] = bad[at]! ^ (1 << r.int(8));
          parts.push(bad);
          // The checksum does not cover a signature: without a key, a frame damaged there is still a frame.
          const signed = bad[0] === 0xfd && (bad[2]! & 1) === 1;
          if (signed && at >= bad.length - 13 && at !== 2) expected.push(bad.toString('hex'));
        }
        const good = randomFrame(r, n);
        parts.push(good);
        expected.push(good.toString('hex'));
      }
      const stream = Buffer.concat(parts);
      const parser = createMavlinkParser({ dialect });
      const found: string[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + r.int(512);
        found.push(...parser.push(stream.subarray(at, at + size)).frames.map(key));
        at += size;
      }
      found.push(...parser.end().frames.map(key));
      // Every valid frame, in order, and nothing else (a damaged frame passes its 16-bit checksum
      // once in 65,536; none of these seeds hits that).
      expect(found, `seed ${seed}`).toEqual(expected);
    }
  });

  it('the whole reader survives fuzzed input and keeps its per-system state bounded by the 8-bit ids', () => {
    const r = prng(99);
    const reader = createMavlinkReader({ dialect, messages: { HEARTBEAT: 'all', ATTITUDE: 'all', GLOBAL_POSITION_INT: 'all', SYS_STATUS: 'all', VFR_HUD: 'all' } });
    let t = Date.UTC(2026, 0, 1);
    for (let n = 0; n < 3000; n++) {
      const bytes = r.int(3) === 0 ? r.bytes(r.int(200)) : randomFrame(r, n);
      t += r.int(50);
      expect(() => reader.read(bytes, t, { datagram: r.int(2) === 0 })).not.toThrow();
      if (n % 100 === 0) expect(() => reader.check(t)).not.toThrow();
    }
    expect(reader.vehicles().length).toBeLessThanOrEqual(256);
  });
});
