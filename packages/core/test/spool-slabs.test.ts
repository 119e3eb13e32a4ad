import { describe, expect, it } from 'vitest';
import { batchPoints, deriveBatch } from '../src/shared/batch-codec.js';
import { createSlabStore } from '../src/spool/_slab-store.js';
import { createMemorySpool } from '../src/spool/index.js';
import { seededRandom } from '../src/testing/index.js';
import { pointsBatch } from './spool-test-kit.js';

const codec = { sourceId: 'slabs', gzipLevel: 1 };
const bytesOf = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('slab store (the memory spool\'s batch bodies)', () => {
  it('packs pieces back to back and hands out views of exactly what was put', () => {
    const store = createSlabStore(1024);
    const refs = [1, 2, 3, 4, 5].map((i) => store.put(bytesOf(250, i)));
    expect(refs.map((r) => r.slab === refs[0]!.slab)).toEqual([true, true, true, true, false]);
    refs.forEach((ref, i) => expect(store.view(ref).equals(bytesOf(250, i + 1))).toBe(true));
    expect(store.stats()).toEqual({ slabs: 2, bytes: 2048 });
  });

  it('lets a slab go only once every piece in it is freed, in any order', () => {
    const store = createSlabStore(1024);
    const first = [0, 1, 2, 3].map((i) => store.put(bytesOf(250, i)));
    const next = store.put(bytesOf(250, 9));
    for (const ref of [first[2]!, first[0]!, first[3]!]) store.free(ref);
    expect(store.stats().slabs).toBe(2);
    store.free(first[1]!);
    expect(store.stats()).toEqual({ slabs: 1, bytes: 1024 });
    expect(store.view(next).equals(bytesOf(250, 9))).toBe(true);
  });

  it('gives the memory of an emptied slab beyond the spares back at once (a draining spool shrinks as it drains)', () => {
    const store = createSlabStore(1024);
    // Five full slabs and a sixth being written; the first five emptied, oldest first.
    const refs = Array.from({ length: 21 }, (_, i) => store.put(bytesOf(250, i)));
    const slabs = [...new Set(refs.map((r) => r.slab))];
    expect(slabs).toHaveLength(6);
    for (const ref of refs.slice(0, 20)) store.free(ref);
    // Two are kept for reuse, whole; the other three hold no memory any more.
    expect(slabs.slice(0, 5).map((slab) => slab.bytes.byteLength)).toEqual([1024, 1024, 0, 0, 0]);
    expect(store.stats()).toEqual({ slabs: 1, bytes: 1024 });
    expect(store.view(refs[20]!).equals(bytesOf(250, 20))).toBe(true);
  });

  it('reuses an emptied slab for the next one instead of allocating (a full spool dropping its oldest)', () => {
    const store = createSlabStore(1024);
    const first = [0, 1, 2, 3].map((i) => store.put(bytesOf(250, i)));
    const firstSlab = first[0]!.slab.bytes;
    for (const ref of first) store.free(ref);
    const next = [4, 5, 6, 7, 8].map((i) => store.put(bytesOf(250, i)));
    expect(next[4]!.slab.bytes).toBe(firstSlab);
    next.forEach((ref, i) => expect(store.view(ref).equals(bytesOf(250, i + 4))).toBe(true));
  });

  it('a piece over a quarter slab gets a buffer of its own, freed with it', () => {
    const store = createSlabStore(1024);
    const big = store.put(bytesOf(600, 7));
    expect(big.slab.bytes.length).toBe(600);
    store.free(big);
    expect(store.stats()).toEqual({ slabs: 0, bytes: 0 });
  });
});

describe('memory spool over slabs', () => {
  it('gives back every body byte for byte through appends, leases, acks out of order, replaces and evictions', () => {
    const random = seededRandom(7);
    const spool = createMemorySpool({ maxBytes: 400_000, whenFull: 'drop_oldest' });
    const sent = new Map<string, Buffer>();
    for (let n = 0; n < 600; n++) {
      const batch = pointsBatch(`b${n}`, 20 + Math.floor(random() * 300));
      sent.set(batch.id, Buffer.from(batch.data as Buffer));
      spool.append(batch);
      if (random() < 0.4) {
        const leased = spool.lease(1 + Math.floor(random() * 3));
        for (const b of leased) {
          expect(Buffer.from(b.data as Buffer | string).equals(sent.get(b.id)!)).toBe(true);
          const roll = random();
          if (roll < 0.6) spool.ack(b.id);
          else if (roll < 0.8 && b.count > 1) {
            const points = batchPoints(b);
            const parts = [deriveBatch(b, points.slice(0, 1), 'a', codec), deriveBatch(b, points.slice(1), 'b', codec)];
            for (const part of parts) sent.set(part.id, Buffer.from(part.data as Buffer | string));
            spool.replace(b.id, parts);
          } else spool.release(b.id);
        }
      }
    }
    let left = 0;
    for (let leased = spool.lease(10); leased.length > 0; leased = spool.lease(10)) {
      for (const b of leased) {
        expect(Buffer.from(b.data as Buffer | string).equals(sent.get(b.id)!)).toBe(true);
        expect(batchPoints(b)).toHaveLength(b.count);
        spool.ack(b.id);
        left += 1;
      }
    }
    expect(left).toBeGreaterThan(0);
    expect(spool.stats()).toStrictEqual({ batches: 0, points: 0, bytes: 0 });
  });
});
