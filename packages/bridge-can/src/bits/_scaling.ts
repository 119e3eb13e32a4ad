/**
 * physical = raw * factor + offset, without binary noise. A factor of 0.1 is not exactly
 * representable, so 3 * 0.1 gives 0.30000000000000004. When factor and offset are short
 * decimals (the shortest text that reads back to them has at most 15 decimal places), the
 * value is computed as an exact integer sum divided by a power of ten:
 *
 *   physical = (raw * A + B) / 10^d,  A = factor * 10^d, B = offset * 10^d (both integers)
 *
 * While |raw * A + B| < 2^53 every step is exact and the one division rounds once, to the
 * double nearest the decimal result: 3 * 0.1 gives 0.3. Past 2^53 (or for factors such as
 * 1/3 written with 16 digits) it falls back to raw * factor + offset.
 */

/** 0: identity, 1: exact decimal, 2: plain floating point. */
export type ScalingKind = 0 | 1 | 2;

export interface Scaling {
  kind: ScalingKind;
  a: number;
  b: number;
  /** 10^d. */
  d: number;
}

const MAX_DECIMALS = 15;

/** The decimal digits of `x` as an integer and a scale: 0.25 -> { units: 25, decimals: 2 }. */
export function decimalParts(x: number): { units: number; decimals: number } | undefined {
  if (!Number.isFinite(x)) return undefined;
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  let decimals = fraction.length - Number(m[4] ?? 0);
  let units = Number(`${m[1]}${m[2]}${fraction}`);
  if (decimals < 0) {
    units *= 10 ** -decimals;
    decimals = 0;
  }
  if (decimals > MAX_DECIMALS || !Number.isSafeInteger(units)) return undefined;
  return { units, decimals };
}

/** How to scale raw values for a factor and offset. */
export function scalingOf(factor: number, offset: number): Scaling {
  if (factor === 1 && offset === 0) return { kind: 0, a: 1, b: 0, d: 1 };
  const f = decimalParts(factor);
  const o = decimalParts(offset);
  if (!f || !o) return { kind: 2, a: factor, b: offset, d: 1 };
  const decimals = Math.max(f.decimals, o.decimals);
  const a = f.units * 10 ** (decimals - f.decimals);
  const b = o.units * 10 ** (decimals - o.decimals);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return { kind: 2, a: factor, b: offset, d: 1 };
  return { kind: 1, a, b, d: 10 ** decimals };
}

const LIMIT = 2 ** 53;

/** Applies {@link scalingOf}'s result; `factor` and `offset` are the originals, for the fallback. */
export function scale(raw: number, s: Scaling, factor: number, offset: number): number {
  if (s.kind === 0) return raw;
  if (s.kind === 1) {
    const t = raw * s.a + s.b;
    if (t < LIMIT && t > -LIMIT) return s.d === 1 ? t : t / s.d;
  }
  return raw * factor + offset;
}

/**
 * The raw value that scales to `physical`, rounded to the nearest integer (the encoder's
 * inverse of {@link scale}). Uses the same decimal form so that a decoded value encodes back
 * to the raw value it came from.
 */
export function unscale(physical: number, s: Scaling, factor: number, offset: number): number {
  if (s.kind === 0) return Math.round(physical);
  if (s.kind === 1) {
    // Rounded once, at the end: rounding physical * 10^d first would round twice (87.44 steps
    // of 0.4 would become 350 / 4 = 87.5 and then 88).
    const t = physical * s.d - s.b;
    if (t < LIMIT && t > -LIMIT) return Math.round(t / s.a);
  }
  return Math.round((physical - offset) / factor);
}
