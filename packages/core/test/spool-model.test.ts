import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../src/shared/batch.js';
import { createMemorySpool, createSqliteSpool } from '../src/spool/index.js';
import type { Spool, SpoolLimits, WhenFull } from '../src/spool/index.js';
import { createMinTracker } from '../src/shared/min-tracker.js';
import { tempDirs, testBatch } from './spool-test-kit.js';
import { seededRandom } from '../src/shared/seeded-random.js';

/** A small deterministic PRNG (mulberry32), so a failure replays from its seed. */
function random(seed: number): (n: number) => number {
  const next = seededRandom(seed);
  return (n) => Math.floor(next() * n);
}

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

// The memory spool and the disk spool, driven by the same random operations, must answer alike.
describe('memory and sqlite spools agree on random operation sequences', () => {
  for (const whenFull of ['drop_oldest', 'drop_newest', 'block'] as WhenFull[]) {
    it(`under ${whenFull}`, () => {
      const limits: SpoolLimits = { maxBytes: 2000, whenFull, maxAgeMs: 50 };
      const dir = join(dirs.make(), 'buffer');
      let disk = createSqliteSpool({ dir, limits });
      const memory = createMemorySpool(limits);
      const rnd = random(whenFull.length * 7919);
      const held = new Set<string>();
      let made = 0;
      const make = (id: string, createdAtMs: number): Batch => {
        const count = 1 + rnd(4);
        const points = Array.from({ length: count }, (_, i) => ({ metric: `m${i}`, value: rnd(1000) / 7 }));
        return testBatch(id, points, { bytes: 50 + rnd(500), createdAtMs });
      };
      const pick = (): string | undefined => [...held][rnd(held.size)];
      try {
        for (let step = 0; step < 1500; step++) {
          const op = rnd(100);
          const both = <R>(fn: (s: Spool) => R): R => {
            const a = fn(memory);
            const b = fn(disk);
            expect(b, `step ${step}`).toEqual(a);
            return a;
          };
          if (op < 35) {
            const incoming = make(`b${made}`, step + rnd(40));
            const result = both((s) => s.append(incoming));
            if (result.accepted) held.add(`b${made}`);
            for (const d of result.dropped) held.delete(d.id);
            made += 1;
          } else if (op < 55) {
            const max = 1 + rnd(3);
            both((s) => s.lease(max));
          }
          else if (op < 67) {
            const id = pick();
            if (id !== undefined) both((s) => s.release(id));
          } else if (op < 80) {
            const id = pick() ?? 'none';
            both((s) => s.ack(id));
            held.delete(id);
          } else if (op < 90) {
            const id = pick();
            if (id === undefined) continue;
            const parts = Array.from({ length: rnd(4) }, (_, i) => make(`${id}.${i}`, step));
            both((s) => s.replace(id, parts));
            held.delete(id);
            for (const p of parts) held.add(p.id);
          } else if (op < 95) {
            for (const d of both((s) => s.expire(step))) held.delete(d.id);
          } else {
            // A restart: the disk spool forgets its leases, so the memory spool must too.
            disk.close();
            disk = createSqliteSpool({ dir, limits });
            for (const id of held) memory.release(id);
          }
          expect(disk.stats(), `stats after step ${step}`).toEqual(memory.stats());
        }
        for (const id of held) {
          memory.release(id);
          disk.release(id);
        }
        expect(disk.lease(10_000)).toEqual(memory.lease(10_000));
      } finally {
        disk.close();
        memory.close();
      }
    });
  }
});

describe('min tracker', () => {
  it('matches a brute-force minimum, including when an old value stays while many come and go', () => {
    const tracker = createMinTracker();
    const values: number[] = [];
    const rnd = random(42);
    tracker.add(-1);
    for (let step = 0; step < 20_000; step++) {
      if (values.length === 0 || rnd(3) > 0) {
        const v = rnd(500);
        values.push(v);
        tracker.add(v);
      } else {
        const [v] = values.splice(rnd(values.length), 1);
        tracker.remove(v!);
      }
      expect(tracker.min()).toBe(-1);
    }
    tracker.remove(-1);
    expect(tracker.min()).toBe(values.length === 0 ? undefined : Math.min(...values));
    while (values.length > 0) {
      const [v] = values.splice(rnd(values.length), 1);
      tracker.remove(v!);
      expect(tracker.min()).toBe(values.length === 0 ? undefined : Math.min(...values));
    }
    tracker.remove(7);
    expect(tracker.min()).toBeUndefined();
  });
});
