import type { Mf4Channel } from './layout.js';

/**
 * Channel values out of a record (the bytes after its record id): integers of any bit offset and
 * count up to 53 bits (64-bit ones read whole), little- or big-endian when byte-aligned, floats,
 * byte arrays. `undefined` when the record is too short for the channel or its type is another.
 */

const UNSIGNED_LE = 0;
const UNSIGNED_BE = 1;
const SIGNED_LE = 2;
const SIGNED_BE = 3;
const FLOAT_LE = 4;
const FLOAT_BE = 5;
export const BYTE_ARRAY = 10;

/** Whether `channel` is a number this module reads. */
export function isNumeric(channel: Mf4Channel): boolean {
  return channel.dataType <= FLOAT_BE && channel.bitCount >= 1 && channel.bitCount <= 64;
}

/** The raw number a channel holds in `record` (no conversion), or undefined. */
export function readNumber(record: Buffer, c: Mf4Channel): number | undefined {
  const bits = c.bitOffset + c.bitCount;
  const bytes = Math.ceil(bits / 8);
  if (c.byteOffset + bytes > record.length) return undefined;
  const at = c.byteOffset;
  switch (c.dataType) {
    case FLOAT_LE:
    case FLOAT_BE:
      if (c.bitOffset !== 0) return undefined;
      if (c.bitCount === 64) return c.dataType === FLOAT_LE ? record.readDoubleLE(at) : record.readDoubleBE(at);
      if (c.bitCount === 32) return c.dataType === FLOAT_LE ? record.readFloatLE(at) : record.readFloatBE(at);
      return undefined;
    case UNSIGNED_LE:
    case SIGNED_LE:
    case UNSIGNED_BE:
    case SIGNED_BE: {
      let raw: number;
      const bigEndian = c.dataType === UNSIGNED_BE || c.dataType === SIGNED_BE;
      if (c.bitCount === 64 && c.bitOffset === 0) {
        return Number(bigEndian ? (c.dataType === SIGNED_BE ? record.readBigInt64BE(at) : record.readBigUInt64BE(at)) : c.dataType === SIGNED_LE ? record.readBigInt64LE(at) : record.readBigUInt64LE(at));
      }
      if (bits > 53) return undefined;
      if (bigEndian) {
        if (c.bitOffset !== 0 || c.bitCount % 8 !== 0) return undefined;
        raw = 0;
        for (let i = 0; i < bytes; i++) raw = raw * 256 + record[at + i]!;
      } else {
        raw = 0;
        for (let i = bytes - 1; i >= 0; i--) raw = raw * 256 + record[at + i]!;
        raw = Math.floor(raw / 2 ** c.bitOffset) % 2 ** c.bitCount;
      }
      const signed = c.dataType === SIGNED_LE || c.dataType === SIGNED_BE;
      return signed && raw >= 2 ** (c.bitCount - 1) ? raw - 2 ** c.bitCount : raw;
    }
    default:
      return undefined;
  }
}

/**
 * A reader of one channel's raw number, specialised for its layout (byte-aligned floats and
 * little-endian integers of up to 32 bits read directly; anything else by {@link readNumber}).
 */
export function numberReader(c: Mf4Channel): (record: Buffer) => number | undefined {
  const at = c.byteOffset;
  const bits = c.bitOffset + c.bitCount;
  const bytes = Math.ceil(bits / 8);
  const end = at + bytes;
  if (c.dataType === FLOAT_LE && c.bitOffset === 0 && c.bitCount === 64) return (r) => (r.length >= end ? r.readDoubleLE(at) : undefined);
  if (c.dataType === UNSIGNED_LE && bits <= 32) {
    const shift = c.bitOffset;
    const mask = c.bitCount === 32 ? 0xffffffff : 2 ** c.bitCount - 1;
    return (r) => {
      if (r.length < end) return undefined;
      let raw = 0;
      for (let i = bytes - 1; i >= 0; i--) raw = raw * 256 + r[at + i]!;
      return ((raw / 2 ** shift) & mask) >>> 0;
    };
  }
  return (r) => readNumber(r, c);
}

/** A fixed-length byte array channel's bytes in `record` (a view), or undefined. */
export function readBytes(record: Buffer, c: Mf4Channel): Buffer | undefined {
  const length = Math.floor(c.bitCount / 8);
  if (c.dataType !== BYTE_ARRAY || c.bitOffset !== 0 || c.byteOffset + length > record.length) return undefined;
  return record.subarray(c.byteOffset, c.byteOffset + length);
}
