/**
 * Binary-coded decimal: each 4 bits of a register hold one decimal digit, most significant
 * first (0x1234 is 1234), as older PLCs keep timers and counters and many meters their energy
 * registers.
 */

/** The number `raw` holds in BCD over `digits` digits, or undefined when a digit is not 0-9 (0x12A4). */
export function bcdValue(raw: number, digits: number): number | undefined {
  let value = 0;
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    const digit = Math.floor(raw / 2 ** shift) % 16;
    if (digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** `value` (a whole number of at most `digits` digits) in BCD: the inverse of {@link bcdValue}. */
export function bcdBits(value: number, digits: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= 10 ** digits) throw new RangeError(`${value} is not a whole number of at most ${digits} BCD digits (0 to ${10 ** digits - 1})`);
  let raw = 0;
  let rest = value;
  for (let i = 0; i < digits; i++) {
    raw += (rest % 10) * 2 ** (i * 4);
    rest = Math.floor(rest / 10);
  }
  return raw;
}
