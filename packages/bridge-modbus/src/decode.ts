import { float32Value } from '@fieldbridge/core';
/** The four Modbus tables. `coil` and `discrete` hold bits; `input` and `holding` hold 16-bit registers. */
export type ModbusTable = 'coil' | 'discrete' | 'input' | 'holding';

/**
 * Order of the bytes of a multi-register value, naming the value's bytes A (most significant)
 * to D as they arrive on the wire. `ABCD` is big-endian (the Modbus default), `CDAB` swaps
 * the 16-bit words, `BADC` swaps the bytes inside each word, `DCBA` is little-endian. For
 * 64-bit values the same swaps apply to all four words (`CDAB` reverses the word order).
 */
export type ByteOrder = 'ABCD' | 'BADC' | 'CDAB' | 'DCBA';

/** Value types a point can decode to. `bool` reads a coil or discrete input; `bit` one bit of a register. */
export type PointType =
  | 'bool'
  | 'bit'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'string';

/** Every byte order, in the order `--probe` prints them. */
export const BYTE_ORDERS: readonly ByteOrder[] = ['ABCD', 'BADC', 'CDAB', 'DCBA'];

/** Every table. */
export const TABLES: readonly ModbusTable[] = ['coil', 'discrete', 'input', 'holding'];

/** Every point type. */
export const POINT_TYPES: readonly PointType[] = [
  'bool', 'bit', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string',
];

/** Registers per fixed-width register type. */
const WIDTHS: Record<Exclude<PointType, 'string'>, number> = {
  bool: 1, bit: 1, int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, int64: 4, uint64: 4, float64: 4,
};

/** What the decoder needs to know about a point. */
export interface DecodeSpec {
  type: PointType;
  /** Default `ABCD`. */
  byteOrder?: ByteOrder;
  /** Bit number for `bit`, 0 = least significant. */
  bit?: number;
  /** Registers of a `string` (2 characters each). */
  length?: number;
}

/** True for tables of bits (coils, discrete inputs). */
export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}

/**
 * Addresses a point occupies: registers for register tables, 1 for a bit. `string` uses its
 * `length` (0 when missing, which the config schema refuses).
 */
export function pointWidth(type: PointType, length?: number): number {
  return type === 'string' ? (length ?? 0) : WIDTHS[type];
}

// One scratch buffer: decoding is synchronous, so sharing it is safe and avoids allocations.
const scratch = new DataView(new ArrayBuffer(8));

/** Copies `count` registers into `scratch` as big-endian bytes, undoing `order`. */
function load(words: ArrayLike<number>, offset: number, count: number, order: ByteOrder): void {
  const wordSwap = order === 'CDAB' || order === 'DCBA';
  const byteSwap = order === 'BADC' || order === 'DCBA';
  for (let i = 0; i < count; i++) {
    const index = offset + (wordSwap ? count - 1 - i : i);
    const word = words[index];
    if (word === undefined) throw new RangeError(`register ${index} is missing from the response (${words.length} read)`);
    scratch.setUint16(i * 2, byteSwap ? ((word & 0xff) << 8) | (word >>> 8) : word);
  }
}

/**
 * Decodes a register-table point from `words` (16-bit register values as the server sent
 * them) starting at `offset`. Returns a number, a `bigint` for 64-bit integers, a string for
 * `string` (latin1, cut at the first NUL, trailing spaces removed) or a boolean for `bit`.
 * Throws a RangeError when the words are too few.
 */
export function decodeRegisters(words: ArrayLike<number>, offset: number, spec: DecodeSpec): number | bigint | string | boolean {
  const order = spec.byteOrder ?? 'ABCD';
  switch (spec.type) {
    case 'uint16':
      load(words, offset, 1, order);
      return scratch.getUint16(0);
    case 'int16':
      load(words, offset, 1, order);
      return scratch.getInt16(0);
    case 'bit':
      load(words, offset, 1, order);
      return ((scratch.getUint16(0) >>> (spec.bit ?? 0)) & 1) === 1;
    case 'uint32':
      load(words, offset, 2, order);
      return scratch.getUint32(0);
    case 'int32':
      load(words, offset, 2, order);
      return scratch.getInt32(0);
    case 'float32':
      load(words, offset, 2, order);
      return float32Value(scratch.getFloat32(0));
    case 'uint64':
      load(words, offset, 4, order);
      return scratch.getBigUint64(0);
    case 'int64':
      load(words, offset, 4, order);
      return scratch.getBigInt64(0);
    case 'float64':
      load(words, offset, 4, order);
      return scratch.getFloat64(0);
    case 'string':
      return decodeString(words, offset, spec.length ?? 0, order);
    case 'bool':
      throw new TypeError('type bool reads coils or discrete inputs; use type bit for a bit of a register');
  }
}

/** Strings keep the register order; only `BADC`/`DCBA` swap the two characters of each register. */
function decodeString(words: ArrayLike<number>, offset: number, length: number, order: ByteOrder): string {
  const byteSwap = order === 'BADC' || order === 'DCBA';
  let out = '';
  for (let i = 0; i < length; i++) {
    const word = words[offset + i];
    if (word === undefined) throw new RangeError(`register ${offset + i} is missing from the response (${words.length} read)`);
    const first = byteSwap ? word & 0xff : word >>> 8;
    const second = byteSwap ? word >>> 8 : word & 0xff;
    if (first === 0) break;
    out += String.fromCharCode(first);
    if (second === 0) break;
    out += String.fromCharCode(second);
  }
  return out.replace(/ +$/, '');
}

/** Reads bit `offset` of a coil or discrete-input response. */
export function decodeBit(bits: ArrayLike<boolean>, offset: number): boolean {
  const bit = bits[offset];
  if (bit === undefined) throw new RangeError(`bit ${offset} is missing from the response (${bits.length} read)`);
  return bit;
}

/**
 * `raw * scale + offset` as a number (defaults 1 and 0). A scale like 0.1 divides by 10
 * instead, so 3 reads 0.3 rather than 0.30000000000000004. 64-bit integers beyond 2^53 lose
 * precision here, as every JavaScript number does.
 */
export function applyScale(raw: number | bigint, scale = 1, offset = 0): number {
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (scale === 1 && offset === 0) return value;
  const inverse = 1 / scale;
  const scaled = Math.abs(scale) < 1 && Number.isInteger(inverse) ? value / inverse : value * scale;
  return scaled + offset;
}

/** A point as {@link decodePoint} needs it: where it lives, how to decode and scale it. */
export interface PointDecodeSpec extends DecodeSpec {
  table: ModbusTable;
  /** Default 1. */
  scale?: number;
  /** Default 0. */
  offset?: number;
}

/**
 * Decodes one point of an answer: `data` is what a read returned (registers or bits), `offset`
 * the point's position in it. Numbers come back scaled; `bit`, `bool` and `string` as they are.
 */
export function decodePoint(point: PointDecodeSpec, data: ArrayLike<number> | ArrayLike<boolean>, offset: number): number | string | boolean {
  if (isBitTable(point.table)) return decodeBit(data as ArrayLike<boolean>, offset);
  const raw = decodeRegisters(data as ArrayLike<number>, offset, point);
  return typeof raw === 'number' || typeof raw === 'bigint' ? applyScale(raw, point.scale, point.offset) : raw;
}
