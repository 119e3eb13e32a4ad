/** A seeded PRNG (mulberry32), so a failing fuzz case replays exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bytes: `prefix`, then up to `maxLength` random ones. */
export function randomBytes(random: () => number, maxLength: number, prefix: number[] = []): Uint8Array {
  const length = Math.floor(random() * (maxLength + 1));
  const out = new Uint8Array(prefix.length + length);
  out.set(prefix);
  for (let i = prefix.length; i < out.length; i++) out[i] = Math.floor(random() * 256);
  return out;
}
