import { float32Value } from '@fieldbridge/core';
import { applyLinear, linearMap, type LinearMap } from '../_scale.js';
import { companyIdOf, normalizeUuid, serviceDataOf, type Advert } from '../advert/advert.js';
import { BleBridgeError } from '../errors.js';
import type { DecodeProblem, DecodeResult, Measurement } from '../measurement.js';
import { readIntBE, readIntLE } from './_read.js';

/** Value types of a slice: unsigned/signed integers of 1-4 bytes, an IEEE float32, or a bit field. */
export type SliceType = 'u8' | 'i8' | 'u16' | 'i16' | 'u24' | 'i24' | 'u32' | 'i32' | 'float32' | 'bits';

/** Every slice type. */
export const SLICE_TYPES: readonly SliceType[] = ['u8', 'i8', 'u16', 'i16', 'u24', 'i24', 'u32', 'i32', 'float32', 'bits'];

/** One value cut out of the data. */
export interface SliceField {
  /** Measurement name, e.g. `temperature`. */
  measurement: string;
  /** First byte, counted from the start of the data: for manufacturer data the company id is bytes 0-1, as in a record's hex. */
  offset: number;
  type: SliceType;
  /** Default `little` (the Bluetooth convention). */
  byteOrder?: 'little' | 'big';
  /** `bits`: bytes read before the bits are taken out (1-4), default 1. */
  bytes?: number;
  /** `bits`: first bit, 0 = least significant of the value read; default 0. */
  bit?: number;
  /** `bits`: how many bits, default 1 (which gives a boolean). */
  bits?: number;
  /** Multiplier, default 1 (0.01 turns 2506 into 25.06 exactly). */
  scale?: number;
  /** Added after scaling, default 0. */
  valueOffset?: number;
  unit?: string;
}

/** Where the bytes come from: manufacturer data (optionally only one company's) or the service data of a UUID. */
export type CustomSource = { kind: 'manufacturer'; companyId?: number } | { kind: 'service'; uuid: string };

/** A custom decoder: where its data is and the fields in it. */
export interface CustomDecoderSpec {
  source: CustomSource;
  fields: SliceField[];
}

/** A compiled custom decoder. */
export interface CustomDecoder {
  readonly source: CustomSource;
  /** The bytes of `advert` this decoder reads, or undefined when the advert has none. */
  pick(advert: Advert): Uint8Array | undefined;
  /** Decodes `data` (never throws; a field past the end is an `out_of_range` problem). */
  decode(data: Uint8Array): DecodeResult;
}

const WIDTH: Record<Exclude<SliceType, 'bits'>, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u24: 3, i24: 3, u32: 4, i32: 4, float32: 4 };
const MAX_OFFSET = 253;

interface Compiled extends SliceField {
  width: number;
  map: LinearMap;
  signed: boolean;
  little: boolean;
}

function refuse(where: string, message: string): never {
  throw new BleBridgeError('CONFIG', `custom decoder ${where}: ${message}`);
}

function compileField(field: SliceField, i: number): Compiled {
  const where = `fields[${i}] (${field.measurement || 'no name'})`;
  if (typeof field.measurement !== 'string' || field.measurement.length === 0 || field.measurement.length > 128) refuse(where, 'measurement must be a name of 1-128 characters');
  if (!SLICE_TYPES.includes(field.type)) refuse(where, `type must be one of ${SLICE_TYPES.join(', ')}`);
  const width = field.type === 'bits' ? field.bytes ?? 1 : WIDTH[field.type];
  if (!Number.isInteger(width) || width < 1 || width > 4) refuse(where, 'bytes must be 1 to 4');
  if (!Number.isInteger(field.offset) || field.offset < 0 || field.offset + width > MAX_OFFSET + 1) refuse(where, `offset must be an integer from 0 to ${MAX_OFFSET + 1 - width}`);
  if (field.type === 'bits') {
    const bit = field.bit ?? 0;
    const bits = field.bits ?? 1;
    if (!Number.isInteger(bit) || !Number.isInteger(bits) || bit < 0 || bits < 1 || bit + bits > width * 8) refuse(where, `bit and bits must select bits inside the ${width * 8} read`);
  }
  const scale = field.scale ?? 1;
  const valueOffset = field.valueOffset ?? 0;
  if (!Number.isFinite(scale) || !Number.isFinite(valueOffset)) refuse(where, 'scale and valueOffset must be finite numbers');
  return { ...field, width, map: linearMap(scale, valueOffset), signed: field.type.startsWith('i'), little: (field.byteOrder ?? 'little') === 'little' };
}

function readField(f: Compiled, data: Uint8Array): number | boolean {
  if (f.type === 'float32') {
    const raw = float32Value(Buffer.from(data.buffer, data.byteOffset + f.offset, 4)[f.little ? 'readFloatLE' : 'readFloatBE'](0));
    if (f.map.mul === 1 && f.map.add === 0 && f.map.div === 1) return raw;
    return Number((raw * f.map.scale + f.map.offset).toPrecision(15));
  }
  const raw = f.little ? readIntLE(data, f.offset, f.width, f.signed) : readIntBE(data, f.offset, f.width, f.signed);
  if (f.type !== 'bits') return applyLinear(raw, f.map);
  const bits = f.bits ?? 1;
  const value = Math.floor(raw / 2 ** (f.bit ?? 0)) % 2 ** bits;
  return bits === 1 ? value === 1 : applyLinear(value, f.map);
}

/**
 * Compiles a byte-slice decoder for devices no built-in decoder reads: each field names an
 * offset, a type (u/i 8-32, float32, bits), a byte order and an optional scale and offset.
 * Validates once and throws a `CONFIG` {@link BleBridgeError} naming the bad field; decoding
 * never throws. Float32 values are given as their shortest decimal.
 */
export function compileCustomDecoder(spec: CustomDecoderSpec): CustomDecoder {
  const source: CustomSource = spec.source.kind === 'service'
    ? { kind: 'service', uuid: normalizeUuid(spec.source.uuid) ?? refuse('source', `"${spec.source.uuid}" is not a 16-, 32- or 128-bit UUID`) }
    : spec.source;
  if (source.kind === 'manufacturer' && source.companyId !== undefined && (!Number.isInteger(source.companyId) || source.companyId < 0 || source.companyId > 0xffff)) refuse('source', 'companyId must be 0 to 0xffff');
  if (!Array.isArray(spec.fields) || spec.fields.length === 0) refuse('fields', 'at least one field is needed');
  const fields = spec.fields.map(compileField);
  return {
    source,
    pick(advert) {
      if (source.kind === 'service') return serviceDataOf(advert, source.uuid);
      if (source.companyId !== undefined && companyIdOf(advert) !== source.companyId) return undefined;
      return advert.manufacturerData;
    },
    decode(data) {
      const measurements: Measurement[] = [];
      const problems: DecodeProblem[] = [];
      for (const f of fields) {
        if (f.offset + f.width > data.length) {
          problems.push({ kind: 'out_of_range', message: `${f.measurement}: bytes ${f.offset}-${f.offset + f.width - 1} lie past the end of the ${data.length} bytes received`, format: 'custom' });
          continue;
        }
        const value = readField(f, data);
        if (typeof value === 'number' && !Number.isFinite(value)) {
          problems.push({ kind: 'malformed', message: `${f.measurement}: bytes ${f.offset}-${f.offset + f.width - 1} hold ${value}, not a finite number`, format: 'custom' });
          continue;
        }
        const m: Measurement = { measurement: f.measurement, value };
        if (f.unit !== undefined) m.unit = f.unit;
        measurements.push(m);
      }
      return { measurements, problems };
    },
  };
}
