import type { ByteOrder, PointType } from './config.js';
import { pointWidth } from './decode.js';
import { bcdBits } from './_bcd.js';
import { float16Bits } from './_float16.js';
import { encodeRegisterPart, type EncodePartSpec } from './encode-part.js';

/** What {@link encodeRegisters} needs besides the type, value and byte order. */
export interface EncodeOptions extends EncodePartSpec {
  /** `string`: registers to fill (2 characters each). */
  length?: number;
  /**
   * `bit`, `bitfield`, `int8`, `uint8`: the register the value is written into, as on the wire;
   * its other bits are kept (two points packed in one register: write one, then the other into
   * the result). Default 0.
   */
  register?: number;
}

/**
 * Encodes a value into 16-bit registers under `byteOrder` (default `ABCD`): the inverse of
 * `decodeRegisters`, for simulators and tests. `string` needs `length` (registers; a number as
 * the fourth argument is read as it); shorter strings are padded with NULs. `float16` rounds to
 * the nearest half-precision float (ties to even); `bcd16`/`bcd32` take a whole number of at most
 * 4/8 digits. `bit` (a boolean), `bitfield` (`bit`, `bits`),
 * `int8` and `uint8` (`byte`) return the one register `options.register` with their part
 * written, as `encodeRegisterPart` does. `bool` is a coil, not a register, and throws.
 */
export function encodeRegisters(type: PointType, value: number | bigint | string | boolean, byteOrder: ByteOrder = 'ABCD', options?: number | EncodeOptions): number[] {
  const opts: EncodeOptions = typeof options === 'number' ? { length: options } : (options ?? {});
  if (type === 'bit' || type === 'bitfield' || type === 'int8' || type === 'uint8') {
    return [encodeRegisterPart(type, value, byteOrder, opts, opts.register)];
  }
  const length = opts.length;
  const width = pointWidth(type, length);
  const buf = Buffer.alloc(width * 2);
  switch (type) {
    case 'uint16': buf.writeUInt16BE(Number(value)); break;
    case 'int16': buf.writeInt16BE(Number(value)); break;
    case 'float16': buf.writeUInt16BE(float16Bits(Number(value))); break;
    case 'uint32': buf.writeUInt32BE(Number(value)); break;
    case 'int32': buf.writeInt32BE(Number(value)); break;
    case 'float32': buf.writeFloatBE(Number(value)); break;
    case 'uint64': buf.writeBigUInt64BE(BigInt(value)); break;
    case 'int64': buf.writeBigInt64BE(BigInt(value)); break;
    case 'float64': buf.writeDoubleBE(Number(value)); break;
    case 'bcd16': buf.writeUInt16BE(bcdBits(Number(value), 4)); break;
    case 'bcd32': buf.writeUInt32BE(bcdBits(Number(value), 8)); break;
    case 'string': buf.write(String(value).slice(0, width * 2), 'latin1'); break;
    case 'bool':
      throw new TypeError('type bool is a coil or discrete input, not a register; use type bit for a bit of a register');
  }
  const words: number[] = [];
  for (let i = 0; i < width; i++) words.push(buf.readUInt16BE(i * 2));
  const byteSwap = byteOrder === 'BADC' || byteOrder === 'DCBA';
  const wordSwap = type !== 'string' && (byteOrder === 'CDAB' || byteOrder === 'DCBA');
  const swapped = byteSwap ? words.map((w) => ((w & 0xff) << 8) | (w >>> 8)) : words;
  return wordSwap ? swapped.reverse() : swapped;
}
