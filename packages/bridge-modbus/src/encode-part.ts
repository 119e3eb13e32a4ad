import type { ByteOrder, PointType, RegisterByte } from './config.js';
import { registerPart } from './register-part.js';

/** Where in its register a `bit`, `bitfield`, `int8` or `uint8` value goes, as the mapping names it. */
export interface EncodePartSpec {
  /** `bit`: the bit; `bitfield`: its lowest bit (0 = least significant). */
  bit?: number;
  /** `bitfield`: how many bits from `bit` up. */
  bits?: number;
  /** `int8`, `uint8`: the byte as it arrives (`byteOrder` does not apply to them). */
  byte?: RegisterByte;
}

const swapBytes = (word: number): number => ((word & 0xff) << 8) | (word >>> 8);

function wrongValue(what: string, range: string, value: unknown): RangeError {
  return new RangeError(`${what} takes ${range}, not ${String(value)}`);
}

/** The unsigned bits a part holds, checked against its range; `what` names the part in errors. */
function partBits(type: PointType, value: number | bigint | string | boolean, spec: EncodePartSpec, what: string): number {
  if (type === 'bit') {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === 0 || value === 1) return value;
    throw wrongValue(what, 'true or false (or 1 or 0)', value);
  }
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw wrongValue(what, 'an integer', value);
  const [min, max] = type === 'int8' ? [-128, 127] : type === 'uint8' ? [0, 255] : [0, 2 ** (spec.bits ?? 1) - 1];
  if (n < min || n > max) throw wrongValue(what, `${min}..${max}`, value);
  return n & 0xffff;
}

/** Refuses a spec the decoder would read some other way than the caller meant: each key its type needs, in range. */
function checkSpec(type: PointType, spec: EncodePartSpec): void {
  const needs = type === 'bit' ? ['bit'] : type === 'bitfield' ? ['bit', 'bits'] : ['byte'];
  const missing = needs.filter((key) => spec[key as keyof EncodePartSpec] === undefined);
  if (missing.length > 0) throw new TypeError(`type ${type} needs ${needs.join(' and ')} to say which part of the register it writes (missing: ${missing.join(', ')})`);
  const bit = spec.bit ?? 0;
  const bits = type === 'bitfield' ? (spec.bits ?? 1) : 1;
  if (type === 'bit' || type === 'bitfield') {
    if (!Number.isInteger(bit) || bit < 0 || bit > 15) throw new RangeError(`bit must be 0-15, not ${bit}`);
    if (!Number.isInteger(bits) || bits < 1 || bit + bits > 16) throw new RangeError(`bits must be 1-${16 - bit} from bit ${bit}, not ${bits}`);
  } else if (spec.byte !== 'high' && spec.byte !== 'low') {
    throw new RangeError(`byte must be high or low, not ${String(spec.byte)}`);
  }
}

/**
 * Writes a `bit`, `bitfield`, `int8` or `uint8` value into `register` (16 bits as on the wire)
 * and returns the register, every other bit kept, so the points sharing a register are written
 * one after another. `bit` and `bitfield` count bits once `order` is undone, as the decoder reads
 * them; `int8` and `uint8` name the byte as it arrives, whatever the order. Throws a RangeError
 * for a value out of the part's range, a TypeError when the spec lacks the key its type needs.
 */
export function encodeRegisterPart(type: 'bit' | 'bitfield' | 'int8' | 'uint8', value: number | bigint | string | boolean, order: ByteOrder, spec: EncodePartSpec, register = 0): number {
  if (!Number.isInteger(register) || register < 0 || register > 0xffff) throw new RangeError(`register must be a 16-bit value (0-65535), not ${register}`);
  checkSpec(type, spec);
  const part = registerPart({ type, ...spec }, order);
  if (part === undefined) throw new TypeError(`type ${type} is not part of a register`);
  const raw = partBits(type, value, spec, `${type} (${part.label})`);
  let placed: number;
  if (type === 'int8' || type === 'uint8') placed = spec.byte === 'high' ? raw << 8 : raw;
  else {
    const shifted = (raw << (spec.bit ?? 0)) & 0xffff;
    placed = order === 'BADC' || order === 'DCBA' ? swapBytes(shifted) : shifted;
  }
  return ((register & ~part.mask) | (placed & part.mask)) & 0xffff;
}
