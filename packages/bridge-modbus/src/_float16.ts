// IEEE 754 binary16 ("half precision"): 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
// Node 20 has no DataView.getFloat16 or Math.f16round, so both directions are worked out here.

/** The exact value of the half-precision float whose 16 bits are `bits` (NaN and the infinities included). */
export function float16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  // Subnormals (exponent 0) have no implicit leading 1 and the exponent of the smallest normal.
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (0x400 + fraction) * 2 ** (exponent - 25);
}

/** `x` rounded to an integer, halves to the even one (IEEE 754's default rounding). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The 16 bits of the half-precision float nearest `value` (ties to even, as a cast in C or
 * Python's `struct.pack('e')` rounds): beyond 65520 in size it is an infinity, NaN is 0x7e00.
 */
export function float16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const size = Math.abs(value);
  if (size < 2 ** -14) return sign | roundHalfEven(size * 2 ** 24); // 0x400 when it rounds up to the smallest normal
  let exponent = Math.floor(Math.log2(size));
  if (2 ** exponent > size) exponent -= 1;
  else if (2 ** (exponent + 1) <= size) exponent += 1;
  let fraction = roundHalfEven((size / 2 ** exponent - 1) * 0x400);
  if (fraction === 0x400) {
    fraction = 0;
    exponent += 1;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | fraction;
}

/**
 * The number a user reads for the half-precision float `bits`: the shortest decimal that
 * converts back to the same bits, as `float32Value` does for float32 (0x2e66 is 0.1, not
 * 0.0999755859375; the smallest subnormal 0x0001, 2^-24, is 6e-8), except that a whole number
 * is itself (0x7bff is 65504, which 65500 would also read back to). NaN and the infinities pass
 * through (the decoder reports them as `non_finite`). At most five digits are ever needed.
 */
export function float16Value(bits: number): number {
  const exact = float16FromBits(bits);
  // Past 2048 every half is a whole number, and a shorter one (65500) is not the value read.
  if (!Number.isFinite(exact) || Number.isInteger(exact)) return exact;
  for (let digits = 1; digits < 5; digits++) {
    const candidate = Number(exact.toPrecision(digits));
    if (float16Bits(candidate) === bits) return candidate;
  }
  return Number(exact.toPrecision(5));
}
