/** A seeded PRNG (mulberry32), so that fuzz runs are repeatable: a failure names its seed. */
import { seededRandom } from '@fieldbridge/core/testing';
export function prng(seed: number): { next(): number; int(max: number): number; bytes(n: number): Uint8Array } {
  const next = seededRandom(seed);
  return {
    next,
    int: (max) => Math.floor(next() * max),
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}
