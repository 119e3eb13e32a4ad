import { float32Value, type DecodeProblem, type DecodeResult, type Point } from '@fieldbridge/core/bridge';
import type { ByteOrder, ModbusTable, PointType, RegisterByte } from './config.js';
import { bcdValue } from './_bcd.js';
import { float16Value } from './_float16.js';
import type { ReadRequest } from './plan.js';
import type { ResolvedPoint } from './resolve.js';

/** Registers per fixed-width register type. */
const WIDTHS: Record<Exclude<PointType, 'string'>, number> = {
  bool: 1, bit: 1, bitfield: 1, int8: 1, uint8: 1, int16: 1, uint16: 1, float16: 1, int32: 2, uint32: 2, float32: 2, int64: 4, uint64: 4, float64: 4, bcd16: 1, bcd32: 2,
};

/** What the decoder needs to know about a point. */
export interface DecodeSpec {
  type: PointType;
  /** Default `ABCD`. */
  byteOrder?: ByteOrder;
  /** Bit number for `bit`, the lowest bit for `bitfield`; 0 = least significant. Default 0. */
  bit?: number;
  /** Width of a `bitfield`, in bits. Default 1. */
  bits?: number;
  /** The byte an `int8` or `uint8` reads, as it arrives (`byteOrder` does not apply). Default `high`. */
  byte?: RegisterByte;
  /** Registers of a `string` (2 characters each). */
  length?: number;
}

/** True for tables of bits (coils, discrete inputs). */
export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete';
}

/**
 * Addresses a point occupies: registers for register tables, 1 for a bit. `string` uses its
 * `length` (0 when missing, which `checkModbus` refuses).
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
 * A `bitfield` is an unsigned integer; `float16` the shortest decimal that reads back to the
 * same half-precision float (NaN and infinities as they are); `bcd16`/`bcd32` the decimal number
 * their digits spell.
 * Throws a RangeError when the words are too few, a {@link NotBcdError} when a BCD point's
 * register holds a digit over 9 ({@link decodeAnswer} turns both into problems).
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
    case 'bitfield':
      load(words, offset, 1, order);
      return (scratch.getUint16(0) >>> (spec.bit ?? 0)) & ((1 << (spec.bits ?? 1)) - 1);
    // The byte is named as it arrives, so the register is loaded as sent, whatever the order.
    case 'uint8':
      load(words, offset, 1, 'ABCD');
      return scratch.getUint8(spec.byte === 'low' ? 1 : 0);
    case 'int8':
      load(words, offset, 1, 'ABCD');
      return scratch.getInt8(spec.byte === 'low' ? 1 : 0);
    case 'float16':
      load(words, offset, 1, order);
      return float16Value(scratch.getUint16(0));
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
    case 'bcd16':
      load(words, offset, 1, order);
      return bcdOf(scratch.getUint16(0), 4);
    case 'bcd32':
      load(words, offset, 2, order);
      return bcdOf(scratch.getUint32(0), 8);
    case 'string':
      return decodeString(words, offset, spec.length ?? 0, order);
    case 'bool':
      throw new TypeError('type bool reads coils or discrete inputs; use type bit for a bit of a register');
  }
}

/** A register value that holds no BCD number (a digit over 9: the point is not BCD). */
export class NotBcdError extends RangeError {
  constructor(readonly raw: number, readonly digits: number) {
    super(`0x${raw.toString(16).toUpperCase().padStart(digits, '0')}, which is not binary-coded decimal (a digit over 9)`);
  }
}

function bcdOf(raw: number, digits: number): number {
  const value = bcdValue(raw, digits);
  if (value === undefined) throw new NotBcdError(raw, digits);
  return value;
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
  if (typeof bit !== 'boolean') {
    throw new RangeError(bit === undefined ? `bit ${offset} is missing from the response (${bits.length} read)` : `bit ${offset} of the response is not a bit (${typeof bit})`);
  }
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

/** A point that could not be sent, and why: the `kind` is the `kind` label of `fieldbridge_source_errors_total`. */
export interface ModbusDecodeProblem extends DecodeProblem {
  /**
   * `bad_response`: the answer lacks the point's registers or bits; `non_finite`: a number that
   * is NaN or infinite; `not_bcd`: a BCD point's register holds a digit over 9.
   */
  kind: 'bad_response' | 'non_finite' | 'not_bcd';
  /** The point's index in its device's `points[]`. */
  point: number;
  metric: string;
}

/**
 * Decodes one answer into points, stamped `timestampMs`: `data` is what a read of `request`
 * returned (registers or bits, starting at `request.address`). Pure, and never throws. The
 * points come in the order of `request.points`, one for each point that is not a problem.
 * Numbers (`bitfield`, `int8`, `uint8`, `float16` and BCD too) are class `metric`; `bool`, `bit`
 * and `string` values class `event`.
 * A value missing from a short answer is a `bad_response` problem; a number that is NaN or
 * infinite (a float read under the wrong byte order, an unset register) a `non_finite` one.
 */
export function decodeAnswer(
  request: Pick<ReadRequest<ResolvedPoint>, 'address' | 'points'>,
  data: ArrayLike<number> | ArrayLike<boolean>,
  timestampMs: number,
): DecodeResult<ModbusDecodeProblem> {
  const points: Point[] = [];
  const problems: ModbusDecodeProblem[] = [];
  for (const point of request.points) {
    let value: number | string | boolean;
    try {
      value = decodePoint(point, data, point.address - request.address);
    } catch (err) {
      if (err instanceof NotBcdError) {
        const message = `${point.metric} (${point.type} at ${point.table} ${point.address}) read ${err.message}; not sent. Check the type (uint16?) and byte_order with bridge-modbus --probe`;
        problems.push({ kind: 'not_bcd', point: point.index, metric: point.metric, message });
      } else {
        problems.push({ kind: 'bad_response', point: point.index, metric: point.metric, message: `${point.metric} (${point.type} at ${point.table} ${point.address}) could not be decoded: ${(err as Error).message}` });
      }
      continue;
    }
    if (typeof value !== 'number') {
      // Said on the wire, as the other bridges do, rather than left to the receiver to infer.
      points.push({ metric: point.metric, value, timestamp: timestampMs, tags: { ...point.tags }, class: 'event' });
    } else if (Number.isFinite(value)) {
      points.push({ metric: point.metric, value, timestamp: timestampMs, tags: { ...point.tags }, class: 'metric' });
    } else {
      const message = `${point.metric} decoded to ${value} (${point.type} ${point.byteOrder} at ${point.table} ${point.address}); not sent. Check byte_order with bridge-modbus --probe`;
      problems.push({ kind: 'non_finite', point: point.index, metric: point.metric, message });
    }
  }
  return { points, problems };
}
