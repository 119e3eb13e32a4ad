/**
 * Where a signal's bits sit in a frame. Bits of the payload are numbered as DBC files number
 * them: bit `8 * byte + n`, where n = 0 is the least significant bit of that byte.
 *
 * Little-endian (Intel) signals start at their least significant bit and run upwards through
 * the payload. Big-endian (Motorola) signals start at their most significant bit and run
 * downwards inside a byte, then continue at bit 7 of the next byte (the "sawtooth"): a 12-bit
 * signal with start bit 7 holds bits 7..0 of byte 0 and bits 7..4 of byte 1.
 */
import type { DbcByteOrder } from '../dbc/types.js';

/** Payload bit of each value bit, least significant first. */
export function signalBitPositions(startBit: number, length: number, byteOrder: DbcByteOrder): number[] {
  const positions = new Array<number>(length);
  if (byteOrder === 'little_endian') {
    for (let k = 0; k < length; k++) positions[k] = startBit + k;
    return positions;
  }
  let p = startBit;
  for (let i = length - 1; i >= 0; i--) {
    positions[i] = p;
    p = p % 8 === 0 ? p + 15 : p - 1;
  }
  return positions;
}

/** A run of a signal's bits inside one byte: `(data[byte] >>> shift) & (2^width - 1)` is value bits `valueBit..`. */
export interface BitChunk {
  byte: number;
  shift: number;
  width: number;
  /** The value bit the run starts at (its weight is 2^valueBit). */
  valueBit: number;
}

/**
 * Groups the positions into runs per byte. Runs never cross value bit 32, so that a signal's
 * low and high 32-bit halves can be assembled separately and exactly.
 */
export function bitChunks(positions: readonly number[]): BitChunk[] {
  const chunks: BitChunk[] = [];
  let current: BitChunk | undefined;
  for (let k = 0; k < positions.length; k++) {
    const p = positions[k]!;
    const byte = p >> 3;
    const bit = p & 7;
    if (current && k !== 32 && current.byte === byte && current.shift + current.width === bit) {
      current.width++;
    } else {
      current = { byte, shift: bit, width: 1, valueBit: k };
      chunks.push(current);
    }
  }
  return chunks;
}

/** The smallest payload length (bytes) that holds every position; 0 for none. */
export function bytesNeeded(positions: readonly number[]): number {
  let max = -1;
  for (const p of positions) if (p > max) max = p;
  return max < 0 ? 0 : (max >> 3) + 1;
}

/** True when every position is a bit of a payload of `bytes` bytes. */
export function fitsIn(positions: readonly number[], bytes: number): boolean {
  for (const p of positions) if (p < 0 || p >= bytes * 8) return false;
  return true;
}
