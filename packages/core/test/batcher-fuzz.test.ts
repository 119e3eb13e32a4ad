import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../src/index.js';
import { batchPoints } from '../src/shared/batch-codec.js';
import { createBatcher } from '../src/sink/batcher.js';

/** A seeded generator, so a failing seed runs the same way again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

// Random limits, points (escapes, multi-byte text, points over max_bytes, values JSON cannot
// encode), provisional stamps, seals, turns of the loop and lingers, against what every batch
// must be: a body that parses, of its recorded size, within max_points and max_bytes (unless it
// holds one point), the points in order, none lost or twice, each stamp on its own point.
describe('batcher under random points and limits', () => {
  for (let seed = 1; seed <= 16; seed++) {
    it(`seed ${seed}`, async () => {
      const r = random(seed);
      const maxPoints = pick(r, [3, 10, 600, 1000, 10_000]);
      const maxBytes = pick(r, [300, 2048, 4096, 65_536, 1 << 20]);
      const sealed: Batch[] = [];
      const refused: string[] = [];
      const errors: unknown[] = [];
      const batcher = createBatcher({
        maxPoints,
        maxBytes,
        lingerMs: pick(r, [0, 1, 5]),
        run: 'run',
        codec: { sourceId: 'src-ü', gzipLevel: r() < 0.2 ? undefined : 1 },
        now: () => Date.now(),
        onSeal: (batch) => sealed.push(batch),
        onSealError: (err) => errors.push(err),
        onUnencodable: (points) => refused.push(...points.map((p) => p.metric)),
        compressOnLoop: () => r() < 0.5,
      });
      const expected: { metric: string; unsynced: boolean }[] = [];
      const expectedRefused: string[] = [];
      const ops = 400 + Math.floor(r() * 2000);
      for (let k = 0, id = 0; k < ops; k++) {
        const op = r();
        if (op < 0.01) batcher.seal();
        else if (op < 0.03) await turn();
        else if (op < 0.035) await new Promise((resolve) => setTimeout(resolve, 7));
        if (op < 0.035) continue;
        const metric = `m${id++}`;
        const kind = r();
        let value: unknown = id;
        if (kind < 0.1) value = '"\\\u0001'.repeat(Math.floor(r() * 300));
        else if (kind < 0.2) value = 'grüße 温度 🌡️'.repeat(Math.floor(r() * 100));
        else if (kind < 0.22) value = 'x'.repeat(Math.floor(r() * 2 * maxBytes));
        else if (kind < 0.23) value = { big: 1n };
        const unsynced = r() < 0.3;
        batcher.add({ metric, value: value as never, timestamp: 1 }, unsynced);
        if (kind >= 0.22 && kind < 0.23) expectedRefused.push(metric);
        else expected.push({ metric, unsynced });
      }
      // No seal() at the end: the linger timer alone must seal what is left.
      const deadline = Date.now() + 10_000;
      while (batcher.pending() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(batcher.pending()).toBe(0);
      await batcher.settled();
      expect(errors).toEqual([]);
      expect(refused).toEqual(expectedRefused);
      const got: { metric: string; unsynced: boolean }[] = [];
      for (const batch of sealed) {
        const raw = batch.encoding === 'gzip-body' ? gunzipSync(batch.data as Buffer) : Buffer.from(batch.data as string);
        expect(raw.length).toBe(batch.rawBytes);
        const body = JSON.parse(raw.toString('utf8')) as { source_id: string; points: unknown[] };
        expect(body.source_id).toBe('src-ü');
        expect(body.points).toHaveLength(batch.count);
        expect(batch.count).toBeLessThanOrEqual(maxPoints);
        if (batch.count > 1) expect(raw.length).toBeLessThanOrEqual(maxBytes);
        const stamps = new Set(batch.unsynced?.indices ?? []);
        batchPoints(batch).forEach((p, i) => got.push({ metric: p.metric, unsynced: stamps.has(i) }));
      }
      expect(got).toEqual(expected);
    }, 30_000);
  }
});
