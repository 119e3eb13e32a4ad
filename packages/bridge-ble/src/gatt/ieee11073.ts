/**
 * IEEE 11073-20601 numbers as the Bluetooth health profiles carry them: a base-10 exponent
 * and a two's-complement mantissa. A value is `mantissa * 10^exponent`, computed as one
 * division or multiplication by an exact power of ten so 36.4 reads 36.4. The reserved
 * mantissas (NaN, NRes, +INF, -INF, reserved) give `undefined`: the device has no value.
 */

/** FLOAT (32-bit): exponent in the high byte, 24-bit mantissa. `raw` is the little-endian uint32. */
export function ieeeFloat(raw: number): number | undefined {
  const mantissa = raw & 0xffffff;
  const exponent = (raw >>> 24) << 24 >> 24;
  if (exponent === 0 && mantissa >= 0x7ffffe && mantissa <= 0x800002) return undefined;
  return apply(mantissa >= 0x800000 ? mantissa - 0x1000000 : mantissa, exponent);
}

/** SFLOAT (16-bit): exponent in the high 4 bits, 12-bit mantissa. `raw` is the little-endian uint16. */
export function ieeeSfloat(raw: number): number | undefined {
  const mantissa = raw & 0x0fff;
  const exponent = (raw >>> 12) << 28 >> 28;
  if (exponent === 0 && mantissa >= 0x07fe && mantissa <= 0x0802) return undefined;
  return apply(mantissa >= 0x0800 ? mantissa - 0x1000 : mantissa, exponent);
}

function apply(mantissa: number, exponent: number): number {
  return exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
}
