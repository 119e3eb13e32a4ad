// The whole decode path (parser, boot clocks, vehicles, records, points) under fuzzed input, from
// seeded random sources (a failure names its seed). Every point it makes must be one the ingest
// service accepts (the sink's own check), and no valid frame may be lost to what came before it.
// Time is bounded by construction (every byte is looked at a bounded number of times, caches are
// capped), and each case here feeds a fixed amount of input, so the test's own timeout bounds it.
import { validatePoint } from '@fieldbridge/core';
import type { Point } from '@fieldbridge/core/bridge';
import { seededRandom } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { mavlinkConfigSchema } from '../src/config.js';
import { createPointMaker, decodeRead, type PointMaker } from '../src/decode.js';
import { loadDialect, type Dialect } from '../src/dialect.js';
import { compileMessagePlan } from '../src/message-plan.js';
import { createMavlinkReader, type MavlinkReader } from '../src/reader.js';
import { resolveMavlink } from '../src/resolve.js';
import { encodeV1, rawV1, rawV2 } from './helpers/mavlink-encoder.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const SEEDS = [3, 7, 11, 19, 42];
const T0 = Date.UTC(2026, 0, 1);

/** A decoder as the source builds it, for a section; `all` selects every message of the dialect with every field. */
function decoder(section: Record<string, unknown>, all = false): { reader: MavlinkReader; maker: PointMaker } {
  const messages = all ? Object.fromEntries(dialect.messages().map((m) => [m.name, 'all'])) : section.messages;
  const config = resolveMavlink(mavlinkConfigSchema.parse({ connection: 'udpin://0.0.0.0:14550', ...section, ...(messages ? { messages } : {}) }));
  const reader = createMavlinkReader({ dialect, messages: compileMessagePlan(dialect, config.selection), linkTimeoutMs: config.linkTimeoutMs });
  return { reader, maker: createPointMaker(config, { sourceId: 'fuzz', dialect }) };
}

/** Random bytes with start bytes made common, so that many candidate headers are tried. */
function noise(random: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => {
    const b = Math.floor(random() * 256);
    return b < 24 ? 0xfd : b < 48 ? 0xfe : b;
  }));
}

/** A frame of any message of the dialect with a random payload (random length up to the message's), valid checksum: every field of every message sees random values. */
function randomFrame(random: () => number, n: number): Buffer {
  const all = dialect.messages();
  const m = all[Math.floor(random() * all.length)]!;
  const v1 = m.id < 256 && random() < 0.3;
  const length = v1 ? m.baseLength : 1 + Math.floor(random() * m.maxLength);
  const payload = Uint8Array.from({ length }, () => Math.floor(random() * 256));
  const options = { sysid: 1 + Math.floor(random() * 255), compid: Math.floor(random() * 256), seq: n & 0xff };
  return v1 ? rawV1(m.id, payload, m.crcExtra, options) : rawV2(m.id, payload, m.crcExtra, options);
}

function feed(d: { reader: MavlinkReader; maker: PointMaker }, bytes: Uint8Array, atMs: number, datagram: boolean): Point[] {
  const decoded = decodeRead(d.reader.read(bytes, atMs, { datagram }), d.maker);
  return decoded.batches.flatMap((b) => b.points);
}

describe('decode fuzz', () => {
  it('random bytes and random payloads of every message never throw, and every point made is one the gateway accepts', () => {
    const sections = [
      { section: {}, all: true },
      { section: { metric: '{message}.{instance}.{field}.{sysid}.{compid}', source_id: 'v{sysid}-{source_id}' }, all: true },
      { section: {}, all: false },
    ];
    for (const seed of SEEDS) {
      for (const { section, all } of sections) {
        const random = seededRandom(seed);
        const d = decoder(section, all);
        let t = T0;
        let points = 0;
        for (let n = 0; n < 1500; n++) {
          const roll = random();
          const bytes = roll < 0.3 ? noise(random, 1 + Math.floor(random() * 300)) : roll < 0.9 ? randomFrame(random, n) : Buffer.concat([noise(random, 3), randomFrame(random, n)]);
          t += Math.floor(random() * 40);
          let made: Point[] = [];
          expect(() => (made = feed(d, bytes, t, random() < 0.5)), `seed ${seed}`).not.toThrow();
          for (const p of made) expect(validatePoint(p), `seed ${seed}: ${JSON.stringify(p).slice(0, 300)}`).toBeUndefined();
          points += made.length;
          if (n % 50 === 0) expect(() => decodeRead({ messages: [], events: d.reader.check(t), problems: [] }, d.maker)).not.toThrow();
        }
        expect(() => decodeRead(d.reader.end(t), d.maker)).not.toThrow();
        expect(points, `seed ${seed}`).toBeGreaterThan(0);
        expect(d.reader.vehicles().length).toBeLessThanOrEqual(256);
      }
    }
  });

  it('no point of a valid frame is lost to the garbage, cut frames or chunk boundaries before it', () => {
    for (const seed of SEEDS) {
      const random = seededRandom(seed);
      const parts: Buffer[] = [];
      const rolls: number[] = [];
      for (let n = 0; n < 500; n++) {
        const junk = random();
        if (junk < 0.3) parts.push(noise(random, 1 + Math.floor(random() * 200)));
        else if (junk < 0.5) {
          const cut = encodeV1('ATTITUDE', { time_boot_ms: n, roll: -1 }, { sysid: 1, seq: n & 0xff });
          parts.push(cut.subarray(0, 1 + Math.floor(random() * (cut.length - 1))));
        }
        // A distinct roll per frame (exact in float32), so each point names its frame.
        const roll = n / 8;
        rolls.push(roll);
        parts.push(encodeV1('ATTITUDE', { time_boot_ms: 1_000 + n, roll }, { sysid: 1 + (n % 3), seq: n & 0xff }));
      }
      const stream = Buffer.concat(parts);
      const d = decoder({ messages: { ATTITUDE: ['roll'] } });
      const got: number[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + Math.floor(random() * 400);
        got.push(...feed(d, stream.subarray(at, at + size), T0 + at, false).filter((p) => p.metric === 'attitude.roll').map((p) => p.value as number));
        at += size;
      }
      got.push(...decodeRead(d.reader.end(T0 + stream.length), d.maker).batches.flatMap((b) => b.points.map((p) => p.value as number)));
      expect(got, `seed ${seed}`).toEqual(rolls);
    }
  });
});
