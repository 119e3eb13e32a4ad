import { signalBitPositions } from '../bits/signal-bits.js';
import type { DbcMessage, DbcSignal } from '../dbc/types.js';
import { scalingOf, unscale } from '../bits/_scaling.js';
import { CanBridgeError } from '../errors.js';

/** Options of {@link encodeMessage} and {@link encodeRawValues}. */
export interface EncodeOptions {
  /** Payload bytes. Default the message's DBC length. */
  length?: number;
  /** Bytes to start from (bits of signals not given keep them). Default all zero. */
  base?: Uint8Array;
}

const fail = (message: string): never => {
  throw new CanBridgeError('ENCODE_FAILED', message);
};

function prepare(message: DbcMessage, names: string[], options: EncodeOptions): { data: Uint8Array; byName: Map<string, DbcSignal> } {
  const length = options.length ?? message.length;
  const data = new Uint8Array(length);
  if (options.base) data.set(options.base.subarray(0, length));
  const byName = new Map(message.signals.map((s) => [s.name, s]));
  for (const name of names) if (!byName.has(name)) fail(`message ${message.name} has no signal ${name}`);
  return { data, byName };
}

/** Two's complement of `raw` in `length` bits, as an unsigned bigint; throws when it does not fit. */
function toUnsigned(signal: DbcSignal, raw: bigint): bigint {
  const bits = BigInt(signal.length);
  const min = signal.signed ? -(1n << (bits - 1n)) : 0n;
  const max = signal.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (raw < min || raw > max) fail(`signal ${signal.name}: raw value ${raw} does not fit ${signal.length} ${signal.signed ? 'signed' : 'unsigned'} bits (${min}..${max})`);
  return raw < 0n ? raw + (1n << bits) : raw;
}

function writeBits(data: Uint8Array, signal: DbcSignal, unsigned: bigint): void {
  const positions = signalBitPositions(signal.startBit, signal.length, signal.byteOrder);
  const lo = Number(unsigned & 0xffffffffn);
  const hi = Number(unsigned >> 32n);
  for (let k = 0; k < positions.length; k++) {
    const p = positions[k]!;
    const byte = p >> 3;
    if (byte >= data.length) fail(`signal ${signal.name} needs byte ${byte + 1} of a ${data.length}-byte payload`);
    const mask = 1 << (p & 7);
    const bit = k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
    if (bit) data[byte]! |= mask;
    else data[byte]! &= ~mask;
  }
}

/** The raw bits of a physical value, as an unsigned bigint of the signal's width. */
function rawBitsOf(signal: DbcSignal, physical: number): bigint {
  if (!Number.isFinite(physical)) fail(`signal ${signal.name}: ${physical} is not a finite number`);
  if (signal.valueType === 'integer') {
    if (signal.factor === 0) fail(`signal ${signal.name} has factor 0, so no raw value gives ${physical}`);
    const raw = unscale(physical, scalingOf(signal.factor, signal.offset), signal.factor, signal.offset);
    if (!Number.isSafeInteger(raw)) fail(`signal ${signal.name}: ${physical} is beyond the exact integers; give its raw value to encodeRawValues as a bigint`);
    return toUnsigned(signal, BigInt(raw));
  }
  const value = signal.factor === 1 && signal.offset === 0 ? physical : (physical - signal.offset) / signal.factor;
  const view = new DataView(new ArrayBuffer(8));
  if (signal.valueType === 'float32') {
    view.setFloat32(0, value);
    return BigInt(view.getUint32(0));
  }
  view.setFloat64(0, value);
  return view.getBigUint64(0);
}

/** Checks that the multiplexors in `given` select `signal`. */
function checkSelected(message: DbcMessage, signal: DbcSignal, rawOf: (name: string) => bigint | undefined): void {
  const mux = signal.multiplexer;
  if (!mux) return;
  const selector = rawOf(mux.signal);
  if (selector === undefined) fail(`signal ${signal.name} of ${message.name} is multiplexed: give its multiplexor ${mux.signal} too`);
  const n = Number(selector);
  if (!mux.ranges.some((r) => n >= r.min && n <= r.max)) {
    fail(`signal ${signal.name} of ${message.name} is not in the frame when ${mux.signal} = ${n}`);
  }
}

/**
 * Encodes physical values (`raw * factor + offset`, floats as they are) into a payload: the
 * inverse of the decoder, for round-trip tests and the simulator. Signals not given keep the
 * bits of `options.base`. Throws a {@link CanBridgeError} (`ENCODE_FAILED`) for an unknown
 * signal, a value its bits cannot hold, or a multiplexed signal its multiplexor does not select.
 */
export function encodeMessage(message: DbcMessage, values: Readonly<Record<string, number>>, options: EncodeOptions = {}): Uint8Array {
  const names = Object.keys(values);
  const { data, byName } = prepare(message, names, options);
  const bits = new Map<string, bigint>();
  for (const name of names) bits.set(name, rawBitsOf(byName.get(name)!, values[name]!));
  const rawOf = (name: string): bigint | undefined => {
    const value = values[name];
    const signal = byName.get(name);
    if (value === undefined || !signal) return undefined;
    return BigInt(unscale(value, scalingOf(signal.factor, signal.offset), signal.factor, signal.offset));
  };
  for (const name of names) {
    const signal = byName.get(name)!;
    checkSelected(message, signal, rawOf);
    writeBits(data, signal, bits.get(name)!);
  }
  return data;
}

/**
 * Encodes raw values (integers as number or bigint, for signals up to 64 bits; float signals
 * take the float) into a payload. Same rules as {@link encodeMessage}.
 */
export function encodeRawValues(message: DbcMessage, raws: Readonly<Record<string, number | bigint>>, options: EncodeOptions = {}): Uint8Array {
  const names = Object.keys(raws);
  const { data, byName } = prepare(message, names, options);
  const rawOf = (name: string): bigint | undefined => {
    const value = raws[name];
    return value === undefined ? undefined : typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  };
  for (const name of names) {
    const signal = byName.get(name)!;
    checkSelected(message, signal, rawOf);
    const value = raws[name]!;
    let unsigned: bigint;
    if (signal.valueType !== 'integer') unsigned = rawBitsOf({ ...signal, factor: 1, offset: 0 }, Number(value));
    else {
      if (typeof value === 'number' && !Number.isSafeInteger(value)) fail(`signal ${signal.name}: raw value ${value} is not an exact integer; pass a bigint`);
      unsigned = toUnsigned(signal, BigInt(value));
    }
    writeBits(data, signal, unsigned);
  }
  return data;
}
