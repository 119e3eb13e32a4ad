const MIN_NORMAL_FLOAT32 = 2 ** -126;

/**
 * The number a user reads for a float32: the shortest decimal that converts back to the same
 * float32. A float32 register holding 1459.4376 widens to 1459.4376220703125 as a float64;
 * this returns 1459.4376. NaN and the infinities pass through (validation refuses them later).
 *
 * Why p starts at 6: a float32 is within half an ulp (about 6e-8 relative) of its shortest
 * decimal, far inside half a step of the 6-digit grid (at least 5e-7 relative), so when the
 * shortest decimal has 6 digits or fewer, rounding to 6 digits finds it exactly; 9 digits always
 * round-trip. At most four conversions per value. Subnormals (below 2^-126) have fewer
 * significant bits, so their search starts at one digit.
 */
export function float32Value(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const f = Math.fround(value);
  for (let p = Math.abs(f) < MIN_NORMAL_FLOAT32 ? 1 : 6; p < 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}
