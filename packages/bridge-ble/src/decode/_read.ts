/** Little-endian integer of `size` (1-4) bytes at `at`; the caller checks the bounds. */
export function readIntLE(bytes: Uint8Array, at: number, size: number, signed: boolean): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  if (signed && value >= 2 ** (8 * size - 1)) value -= 2 ** (8 * size);
  return value;
}

/** Big-endian integer of `size` (1-4) bytes at `at`; the caller checks the bounds. */
export function readIntBE(bytes: Uint8Array, at: number, size: number, signed: boolean): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[at + i]!;
  if (signed && value >= 2 ** (8 * size - 1)) value -= 2 ** (8 * size);
  return value;
}

/** Unsigned 16-bit big-endian at `at`. */
export const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/** Signed 16-bit big-endian at `at`. */
export const i16be = (b: Uint8Array, at: number): number => (((b[at]! << 8) | b[at + 1]!) << 16) >> 16;

/** Unsigned 16-bit little-endian at `at`. */
export const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

/** Signed 16-bit little-endian at `at`. */
export const i16le = (b: Uint8Array, at: number): number => ((b[at]! | (b[at + 1]! << 8)) << 16) >> 16;

/** Two lowercase hex digits of every byte value. */
export const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex of `length` bytes from `at` with a separator, for identities such as a MAC inside a payload. */
export function hexJoin(bytes: Uint8Array, separator: string, at = 0, length = bytes.length - at): string {
  let out = HEX_PAIRS[bytes[at]!]!;
  for (let i = 1; i < length; i++) out += separator + HEX_PAIRS[bytes[at + i]!]!;
  return out;
}

/** As {@link hexJoin}, last byte first (a MAC sent least significant byte first). */
export function hexJoinReversed(bytes: Uint8Array, separator: string, at: number, length: number): string {
  let out = HEX_PAIRS[bytes[at + length - 1]!]!;
  for (let i = length - 2; i >= 0; i--) out += separator + HEX_PAIRS[bytes[at + i]!]!;
  return out;
}
