import type { ByteOrder, PointType } from './config.js';
import { pointWidth } from './decode.js';
import { float16Bits } from './_float16.js';

/**
 * Encodes a value into 16-bit registers under `byteOrder` (default `ABCD`): the inverse of
 * `decodeRegisters`, for simulators and tests. `string` needs `length` (registers); shorter
 * strings are padded with NULs. `float16` rounds to the nearest half-precision float (ties to
 * even). `bit`, `bitfield`, `int8`, `uint8` and `bool` fill part of a register (or a coil), not
 * registers of their own, and throw.
 */
export function encodeRegisters(type: PointType, value: number | bigint | string, byteOrder: ByteOrder = 'ABCD', length?: number): number[] {
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
    case 'string': buf.write(String(value).slice(0, width * 2), 'latin1'); break;
    case 'bool':
    case 'bit':
    case 'bitfield':
    case 'int8':
    case 'uint8':
      throw new TypeError(`type ${type} is not a register encoding`);
  }
  const words: number[] = [];
  for (let i = 0; i < width; i++) words.push(buf.readUInt16BE(i * 2));
  const byteSwap = byteOrder === 'BADC' || byteOrder === 'DCBA';
  const wordSwap = type !== 'string' && (byteOrder === 'CDAB' || byteOrder === 'DCBA');
  const swapped = byteSwap ? words.map((w) => ((w & 0xff) << 8) | (w >>> 8)) : words;
  return wordSwap ? swapped.reverse() : swapped;
}
