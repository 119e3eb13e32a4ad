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

/** Hex of `bytes` with a separator, for identities such as a MAC inside a payload. */
export function hexJoin(bytes: Uint8Array, separator: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i ? separator : '') + bytes[i]!.toString(16).padStart(2, '0');
  return out;
}
