import { float32Value, type PointValue } from '@fieldbridge/core';
import type { SparkplugDataSet, SparkplugValueFields } from './sparkplug-codec.js';

/** Sparkplug B datatype names by number (Sparkplug 3.0, section 6.4.16): 1 Int8 ... 21 PropertySetList. */
export const SPARKPLUG_TYPES: readonly string[] = [
  'Unknown', 'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float', 'Double',
  'Boolean', 'String', 'DateTime', 'Text', 'UUID', 'DataSet', 'Bytes', 'File', 'Template', 'PropertySet', 'PropertySetList',
];

/** Datatype number of Template, whose instances are flattened into their member metrics. */
export const TEMPLATE_TYPE = 19;
/** Datatype number of DataSet. */
export const DATASET_TYPE = 16;

/** True for the datatypes read by {@link scalarValue}: Int8 ... UUID (1-15). */
export function isScalarType(datatype: number): boolean {
  return datatype >= 1 && datatype <= 15;
}

/** The name of a datatype number, e.g. `Int32`, or `type 27`. */
export function typeName(datatype: number | undefined): string {
  return datatype === undefined ? 'no datatype' : datatype >= 1 && datatype < SPARKPLUG_TYPES.length ? SPARKPLUG_TYPES[datatype]! : `type ${datatype}`;
}

function bigint(text: string): bigint | undefined {
  try {
    return BigInt(text);
  } catch {
    // Without the `long` package protobufjs hands out doubles, which BigInt may not parse.
    return undefined;
  }
}

/** A 64-bit unsigned wire value as a number: signed when `signed` (two's complement). */
function long(text: string, signed: boolean): number {
  const n = bigint(text);
  if (n === undefined) return Number(text);
  return Number(signed ? BigInt.asIntN(64, n) : BigInt.asUintN(64, n));
}

/**
 * An Int64 or UInt64 value: a number up to 2^53, beyond it its decimal digits (a double would
 * round 18446744073709551615 to 18446744073709552000), as bridge-opcua sends 64-bit integers.
 */
function int64(text: string, signed: boolean): number | string {
  const n = bigint(text);
  if (n === undefined) return Number(text);
  const exact = signed ? BigInt.asIntN(64, n) : BigInt.asUintN(64, n);
  return exact >= -MAX_SAFE && exact <= MAX_SAFE ? Number(exact) : exact.toString();
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The `int_value`s each sized integer type may carry. The specification names only the uint32
 * field, so a negative Int8 or Int16 comes either in its own width's two's complement (-1 as 255)
 * or sign-extended to 32 bits (-1 as 4294967295, what Eclipse Tahu sends): both are read, nothing
 * else is.
 */
const INT_VALUE_RANGES: Readonly<Record<number, { fits: (v: number) => boolean; range: string }>> = {
  1: { fits: (v) => v <= 0xff || v >= 0xffffff80, range: "-128..127: int_value 0..255, or 4294967168..4294967295 sign-extended" },
  2: { fits: (v) => v <= 0xffff || v >= 0xffff8000, range: "-32768..32767: int_value 0..65535, or 4294934528..4294967295 sign-extended" },
  5: { fits: (v) => v <= 0xff, range: '0..255' },
  6: { fits: (v) => v <= 0xffff, range: '0..65535' },
};

/**
 * Why a sized integer's wire value is outside its datatype's range (a UInt8 of 300), or
 * undefined when it fits (or is no sized integer): such a value is refused, not wrapped.
 */
export function outOfRange(fields: SparkplugValueFields, datatype: number | undefined): string | undefined {
  const { intValue, longValue } = fields;
  if (datatype === 7 && intValue === undefined && longValue !== undefined) {
    const n = bigint(longValue);
    return n !== undefined && BigInt.asUintN(64, n) > 0xffffffffn ? `${longValue} is outside UInt32's range (0..4294967295)` : undefined;
  }
  const range = datatype === undefined ? undefined : INT_VALUE_RANGES[datatype];
  if (!range || intValue === undefined || range.fits(intValue)) return undefined;
  return `${intValue} is outside ${typeName(datatype)}'s range (${range.range})`;
}

/**
 * Reads a scalar by its datatype; with no datatype (a DATA message for a metric whose birth was
 * not seen), by the field that is set. Returns undefined when the expected field is absent or
 * the type is not a scalar.
 */
export function scalarValue(fields: SparkplugValueFields, datatype: number | undefined): PointValue | undefined {
  const { intValue, longValue, floatValue, doubleValue, booleanValue, stringValue } = fields;
  switch (datatype) {
    case 1:
      return intValue === undefined ? undefined : (intValue << 24) >> 24;
    case 2:
      return intValue === undefined ? undefined : (intValue << 16) >> 16;
    case 3:
      return intValue === undefined ? undefined : intValue | 0;
    case 5:
      return intValue === undefined ? undefined : intValue & 0xff;
    case 6:
      return intValue === undefined ? undefined : intValue & 0xffff;
    case 7:
      if (intValue !== undefined) return intValue >>> 0;
      return longValue === undefined ? undefined : long(longValue, false);
    case 4:
      return longValue === undefined ? undefined : int64(longValue, true);
    case 8:
      return longValue === undefined ? undefined : int64(longValue, false);
    case 13:
      return longValue === undefined ? undefined : long(longValue, false);
    case 9:
      return floatValue === undefined ? undefined : float32Value(floatValue);
    case 10:
      return doubleValue;
    case 11:
      return booleanValue;
    case 12:
    case 14:
    case 15:
      return stringValue;
    case undefined:
      if (intValue !== undefined) return intValue >>> 0;
      if (longValue !== undefined) return int64(longValue, false);
      return floatValue ?? doubleValue ?? booleanValue ?? stringValue;
    default:
      return undefined;
  }
}

/** A DataSet's value. */
export interface DataSetValue {
  columns: string[];
  types: string[];
  rows: unknown[][];
}

/**
 * A DataSet as `{ columns, types, rows }`, each row an array of values in column order; or why
 * not, when an element is outside its column type's range.
 */
export function dataSetValue(dataset: SparkplugDataSet): { ok: true; value: DataSetValue } | { ok: false; message: string } {
  const types = dataset.types ?? [];
  const rows: unknown[][] = [];
  for (const [r, row] of (dataset.rows ?? []).entries()) {
    const values: unknown[] = [];
    for (const [i, element] of (row.elements ?? []).entries()) {
      const outside = outOfRange(element, types[i]);
      if (outside) return { ok: false, message: `row ${r}, column ${i}: ${outside}` };
      values.push(scalarValue(element, types[i]) ?? null);
    }
    rows.push(values);
  }
  return { ok: true, value: { columns: dataset.columns ?? [], types: types.map((t) => typeName(t)), rows } };
}
