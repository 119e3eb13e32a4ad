import { seededRandom } from '@fieldbridge/core/testing';
/** A seeded PRNG (the kit's mulberry32), so a failing fuzz case replays exactly. */
export const seeded = seededRandom;

/** Random bytes: `prefix`, then up to `maxLength` random ones. */
export function randomBytes(random: () => number, maxLength: number, prefix: number[] = []): Uint8Array {
  const length = Math.floor(random() * (maxLength + 1));
  const out = new Uint8Array(prefix.length + length);
  out.set(prefix);
  for (let i = prefix.length; i < out.length; i++) out[i] = Math.floor(random() * 256);
  return out;
}
