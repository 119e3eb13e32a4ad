// CRC-16/MCRF4XX (the "X.25" checksum of MAVLink): reflected polynomial 0x8408, initial value
// 0xFFFF, no final XOR. A 256-entry table turns the per-byte work into one lookup, which is
// what keeps the parser ahead of node-mavlink's splitter on long streams.
const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  TABLE[n] = c;
}

/** The CRC-16/MCRF4XX starting value. */
export const CRC_INIT = 0xffff;

/** Folds `bytes[start..end)` into `crc` and returns the new value. */
export function crcUpdate(crc: number, bytes: Uint8Array, start: number, end: number): number {
  let c = crc;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ TABLE[(c ^ bytes[i]!) & 0xff]!;
  return c;
}

/** Folds one byte into `crc`: MAVLink's CRC_EXTRA goes in this way after the frame. */
export function crcByte(crc: number, byte: number): number {
  return (crc >>> 8) ^ TABLE[(crc ^ byte) & 0xff]!;
}

/**
 * The checksum of a MAVLink frame: CRC-16/MCRF4XX over `bytes[start..end)` (the header after the
 * start byte, and the payload) followed by the message's CRC_EXTRA byte.
 */
export function frameCrc(bytes: Uint8Array, start: number, end: number, crcExtra: number): number {
  return crcByte(crcUpdate(CRC_INIT, bytes, start, end), crcExtra);
}
