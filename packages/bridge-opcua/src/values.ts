import { float32Value, POINT_LIMITS, type PointValue } from '@fieldbridge/core';
import { ArrayKind, BuiltinType, builtinTypeName } from './builtin-types.js';
import { nodeIdToText, type NodeIdLike } from './node-ref.js';
import { statusName, type StatusNames } from './quality.js';

/** The parts of a node-opcua `Variant` the conversion reads. */
export interface VariantLike {
  /** Built-in type id ({@link BuiltinType}). */
  dataType: number;
  /** {@link ArrayKind}; default scalar. */
  arrayType?: number;
  value: unknown;
  /** Matrix only: the length of each dimension, outermost first. */
  dimensions?: readonly number[] | null;
}

/** Why a value could not become a point value. */
export type ValueProblemKind =
  /** A Float or Double is NaN or infinite: the ingest service refuses those. */
  | 'not_finite'
  /** Text, bytes, an array or a structure bigger than an event value may be. */
  | 'too_large'
  /** A DiagnosticInfo, or nesting deeper than a value needs. */
  | 'unsupported_type'
  /** The value does not have the shape its data type says (a peer bug). */
  | 'malformed';

/** {@link variantToValue}'s answer. `value: null` means the server sent no value (a Null Variant). */
export type ConvertedValue = { ok: true; value: PointValue | null } | { ok: false; kind: ValueProblemKind; message: string };

/** Options of {@link variantToValue}. Read once per options object: make a new one to change them. */
export interface ValueOptions {
  /** The server's NamespaceArray: NodeId values are written with their namespace URI. */
  namespaces?: readonly string[];
  /** Names for StatusCode values (from node-opcua's table); hexadecimal without. */
  statusNames?: StatusNames;
  /** Largest text, bytes, array or structure, in bytes of JSON. Default 65536 (the gateway's event cap). */
  maxValueBytes?: number;
  /** Most array elements. Default 10000. */
  maxArrayLength?: number;
}

class Failure {
  constructor(readonly kind: ValueProblemKind, readonly message: string) {}
}

interface Context {
  namespaces: readonly string[] | undefined;
  statusNames: StatusNames | undefined;
  maxBytes: number;
  maxArray: number;
}

type Scalar = PointValue | null | Failure;

// One context per options object: a notification's values share one, so none is built per value.
const contexts = new WeakMap<ValueOptions, Context>();
function contextOf(options: ValueOptions): Context {
  let ctx = contexts.get(options);
  if (!ctx) {
    ctx = {
      namespaces: options.namespaces,
      statusNames: options.statusNames,
      maxBytes: options.maxValueBytes ?? POINT_LIMITS.eventValueMaxBytes,
      maxArray: options.maxArrayLength ?? 10_000,
    };
    contexts.set(options, ctx);
  }
  return ctx;
}

// node-opcua's "null" DateTime is 1601-01-01T00:00:00Z, the start of OPC UA's time scale.
const MIN_DATE_MS = Date.UTC(1601, 0, 1);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Converts a Variant into a point value: Boolean as a boolean; SByte to UInt32 and Double as
 * numbers; Float as the shortest decimal of the float32; Int64/UInt64 (node-opcua's
 * `[high, low]` pairs) as numbers within +-(2^53 - 1), as decimal strings beyond; String and
 * XmlElement as text; DateTime as ms since the epoch; Guid as text; ByteString as base64;
 * NodeId, ExpandedNodeId, QualifiedName (`2:Name`), LocalizedText (its text) and StatusCode
 * (its name) as text; ExtensionObject as a JSON object; arrays as arrays (a matrix as nested
 * arrays, NaN elements as null). Pure; never throws: a value that cannot be sent is a problem.
 */
export function variantToValue(variant: VariantLike | null | undefined, options: ValueOptions = {}): ConvertedValue {
  if (variant === null || variant === undefined) return { ok: true, value: null };
  const result = convert(variant, contextOf(options), 0);
  return result instanceof Failure ? { ok: false, kind: result.kind, message: result.message } : { ok: true, value: result };
}

function convert(variant: VariantLike, ctx: Context, depth: number): Scalar {
  const type = variant.dataType;
  const kind = variant.arrayType ?? ArrayKind.Scalar;
  if (type === BuiltinType.Null) return null;
  if (kind === ArrayKind.Scalar) return scalar(type, variant.value, ctx, depth);
  const items = variant.value;
  if (items === null || items === undefined) return null;
  if (!Array.isArray(items) && !ArrayBuffer.isView(items)) return new Failure('malformed', `${builtinTypeName(type)} array is not an array`);
  const length = (items as ArrayLike<unknown>).length;
  if (length > ctx.maxArray) return new Failure('too_large', `${builtinTypeName(type)} array of ${length} elements (at most ${ctx.maxArray})`);
  const out: unknown[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const element = scalar(type, (items as ArrayLike<unknown>)[i], ctx, depth);
    if (element instanceof Failure) {
      if (element.kind !== 'not_finite') return new Failure(element.kind, `element ${i}: ${element.message}`);
      out[i] = null;
    } else {
      out[i] = element;
    }
  }
  const shaped = kind === ArrayKind.Matrix ? reshape(out, variant.dimensions) : out;
  if (shaped instanceof Failure) return shaped;
  return bounded(shaped, type >= BuiltinType.Boolean && type <= BuiltinType.Double, ctx, `${builtinTypeName(type)} array`);
}

function scalar(type: number, v: unknown, ctx: Context, depth: number): Scalar {
  switch (type) {
    case BuiltinType.Boolean:
      return typeof v === 'boolean' ? v : new Failure('malformed', `Boolean value ${typeof v}`);
    case BuiltinType.SByte:
    case BuiltinType.Byte:
    case BuiltinType.Int16:
    case BuiltinType.UInt16:
    case BuiltinType.Int32:
    case BuiltinType.UInt32:
      return typeof v === 'number' && Number.isInteger(v) ? v : new Failure('malformed', `${builtinTypeName(type)} value is not an integer`);
    case BuiltinType.Float:
    case BuiltinType.Double:
      if (typeof v !== 'number') return new Failure('malformed', `${builtinTypeName(type)} value is not a number`);
      if (!Number.isFinite(v)) return new Failure('not_finite', `${builtinTypeName(type)} value ${v} is not a finite number`);
      return type === BuiltinType.Float ? float32Value(v) : v;
    case BuiltinType.Int64:
    case BuiltinType.UInt64:
      return int64(v, type === BuiltinType.Int64);
    case BuiltinType.String:
    case BuiltinType.XmlElement:
    case BuiltinType.Guid:
      if (v === null || v === undefined) return null;
      return typeof v === 'string' ? boundedText(v, ctx, builtinTypeName(type)) : new Failure('malformed', `${builtinTypeName(type)} value is not text`);
    case BuiltinType.DateTime:
      return dateTime(v);
    case BuiltinType.ByteString:
      if (v === null || v === undefined) return null;
      if (!(v instanceof Uint8Array)) return new Failure('malformed', 'ByteString value is not bytes');
      if (((v.length + 2) / 3) * 4 > ctx.maxBytes) return new Failure('too_large', `ByteString of ${v.length} bytes (at most ${Math.floor((ctx.maxBytes * 3) / 4)})`);
      return Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
    case BuiltinType.NodeId:
    case BuiltinType.ExpandedNodeId:
      if (v === null || v === undefined) return null;
      if (typeof v !== 'object' || typeof (v as NodeIdLike).identifierType !== 'number') return new Failure('malformed', `${builtinTypeName(type)} value is not a node id`);
      return nodeIdToText(v as NodeIdLike, ctx.namespaces);
    case BuiltinType.StatusCode: {
      const code = typeof v === 'number' ? v : (v as { value?: unknown } | null)?.value;
      return typeof code === 'number' ? statusName(code, ctx.statusNames) : new Failure('malformed', 'StatusCode value has no code');
    }
    case BuiltinType.QualifiedName: {
      if (v === null || v === undefined) return null;
      const q = v as { namespaceIndex?: unknown; name?: unknown };
      if (typeof q.name !== 'string' && q.name !== null) return new Failure('malformed', 'QualifiedName has no name');
      const name = q.name ?? '';
      return typeof q.namespaceIndex === 'number' && q.namespaceIndex !== 0 ? `${q.namespaceIndex}:${name}` : name;
    }
    case BuiltinType.LocalizedText: {
      if (v === null || v === undefined) return null;
      const text = (v as { text?: unknown }).text;
      if (text === null || text === undefined) return null;
      return typeof text === 'string' ? boundedText(text, ctx, 'LocalizedText') : new Failure('malformed', 'LocalizedText text is not text');
    }
    case BuiltinType.ExtensionObject:
      return extensionObject(v, ctx);
    case BuiltinType.Variant:
      if (depth >= 4) return new Failure('unsupported_type', 'Variant nested more than 4 deep');
      return isVariant(v) ? convert(v, ctx, depth + 1) : null;
    case BuiltinType.DataValue: {
      if (depth >= 4) return new Failure('unsupported_type', 'DataValue nested more than 4 deep');
      const inner = (v as { value?: unknown } | null)?.value;
      return isVariant(inner) ? convert(inner, ctx, depth + 1) : null;
    }
    default:
      return new Failure('unsupported_type', `${builtinTypeName(type)} values are not sent`);
  }
}

function isVariant(v: unknown): v is VariantLike {
  return typeof v === 'object' && v !== null && typeof (v as VariantLike).dataType === 'number';
}

/** node-opcua carries 64-bit integers as `[high, low]` 32-bit halves; bigints and numbers are taken too. */
function int64(v: unknown, signed: boolean): Scalar {
  let big: bigint;
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
    big = (BigInt(v[0] >>> 0) << 32n) | BigInt(v[1] >>> 0);
  } else if (typeof v === 'bigint') {
    big = v;
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    big = BigInt(v);
  } else {
    return new Failure('malformed', `${signed ? 'Int64' : 'UInt64'} value is not a [high, low] pair`);
  }
  big = signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big);
  return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big.toString();
}

function dateTime(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (!(v instanceof Date)) return new Failure('malformed', 'DateTime value is not a date');
  const ms = v.getTime();
  if (Number.isNaN(ms) || ms <= MIN_DATE_MS) return null;
  return ms;
}

function boundedText(text: string, ctx: Context, what: string): Scalar {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long text needs the exact count.
  if (text.length * 3 + 2 > ctx.maxBytes && Buffer.byteLength(text) + 2 > ctx.maxBytes) {
    return new Failure('too_large', `${what} of ${text.length} characters (at most ${ctx.maxBytes} bytes)`);
  }
  return text;
}

function extensionObject(v: unknown, ctx: Context): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object') return new Failure('malformed', 'ExtensionObject value is not an object');
  let json: string | undefined;
  try {
    json = JSON.stringify(v, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (err) {
    return new Failure('malformed', `ExtensionObject cannot be written as JSON: ${(err as Error).message}`);
  }
  if (json === undefined) return null;
  if (json.length > ctx.maxBytes) return new Failure('too_large', `ExtensionObject of ${json.length} bytes of JSON (at most ${ctx.maxBytes})`);
  return JSON.parse(json) as PointValue;
}

function bounded(value: unknown[], numeric: boolean, ctx: Context, what: string): Scalar {
  // A number or boolean takes at most 24 bytes of JSON: a short numeric array needs no measuring.
  if (!numeric || value.length * 24 > ctx.maxBytes) {
    const bytes = JSON.stringify(value).length;
    if (bytes > ctx.maxBytes) return new Failure('too_large', `${what} of ${bytes} bytes of JSON (at most ${ctx.maxBytes})`);
  }
  return value;
}

function reshape(flat: unknown[], dimensions: readonly number[] | null | undefined): unknown[] | Failure {
  if (!dimensions || dimensions.length === 0) return flat;
  const size = dimensions.reduce((a, b) => a * b, 1);
  if (size !== flat.length || dimensions.some((d) => !Number.isInteger(d) || d < 0)) {
    return new Failure('malformed', `matrix dimensions [${dimensions.join(', ')}] do not match its ${flat.length} elements`);
  }
  const build = (offset: number, level: number): unknown[] => {
    const length = dimensions[level]!;
    if (level === dimensions.length - 1) return flat.slice(offset, offset + length);
    const stride = dimensions.slice(level + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length }, (_, i) => build(offset + i * stride, level + 1));
  };
  return build(0, 0);
}
