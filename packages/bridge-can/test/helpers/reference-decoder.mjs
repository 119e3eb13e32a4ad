// A deliberately simple, slow decoder used as the yardstick for the compiled one (tests) and
// for the npm libraries (bench/can-decode.mjs). It shares no code with src/: it reads the
// payload as one big-endian bit string and takes big-endian (Motorola) signals as a contiguous
// run of it, starting at the start bit's place in that string; little-endian (Intel) signals
// as a contiguous run of the little-endian bit string. Integers are BigInt throughout.

/** Bit i of the payload read as one big-endian number (i = 0 is the MSB of byte 0). */
function bigEndianBit(data, i) {
  return (data[i >> 3] >> (7 - (i & 7))) & 1;
}

/** Raw unsigned bits of a signal as a BigInt, or undefined when the payload is too short. */
export function referenceRawBits(data, signal) {
  let value = 0n;
  if (signal.byteOrder === 'big_endian') {
    // The start bit (DBC numbering: byte * 8 + bit, bit 0 = LSB) sits at big-endian index
    // byte * 8 + (7 - bit); the signal is the next `length` bits of that string, MSB first.
    const first = (signal.startBit >> 3) * 8 + (7 - (signal.startBit & 7));
    if (first + signal.length > data.length * 8) return undefined;
    for (let i = 0; i < signal.length; i++) value = (value << 1n) | BigInt(bigEndianBit(data, first + i));
    return value;
  }
  if (signal.startBit + signal.length > data.length * 8) return undefined;
  for (let i = signal.length - 1; i >= 0; i--) {
    const p = signal.startBit + i;
    value = (value << 1n) | BigInt((data[p >> 3] >> (p & 7)) & 1);
  }
  return value;
}

/** The physical value of a signal in a payload: `{ raw, value }` (raw a BigInt or a float), or undefined. */
export function referenceSignal(data, signal) {
  const bits = referenceRawBits(data, signal);
  if (bits === undefined) return undefined;
  if (signal.valueType === 'float32' || signal.valueType === 'float64') {
    const view = new DataView(new ArrayBuffer(8));
    let f;
    if (signal.valueType === 'float32') {
      view.setUint32(0, Number(bits));
      f = view.getFloat32(0);
    } else {
      view.setBigUint64(0, bits);
      f = view.getFloat64(0);
    }
    return { raw: f, value: f * signal.factor + signal.offset };
  }
  let raw = bits;
  if (signal.signed && signal.length > 0 && (bits >> BigInt(signal.length - 1)) & 1n) raw = bits - (1n << BigInt(signal.length));
  return { raw, value: Number(raw) * signal.factor + signal.offset };
}

/**
 * Every signal of `message` the payload holds, by name: `{ raw, value }`. Multiplexed signals
 * appear only when their multiplexor's raw value is in their ranges.
 */
export function referenceDecode(message, data) {
  const byName = new Map(message.signals.map((s) => [s.name, s]));
  const out = new Map();
  const visit = (signal, depth) => {
    if (out.has(signal.name) || depth > message.signals.length) return out.get(signal.name);
    if (signal.multiplexer) {
      const parent = byName.get(signal.multiplexer.signal);
      const sel = parent && visit(parent, depth + 1);
      if (!sel) return undefined;
      const n = Number(sel.raw);
      if (!signal.multiplexer.ranges.some((r) => n >= r.min && n <= r.max)) return undefined;
    }
    const decoded = referenceSignal(data, signal);
    if (decoded && (typeof decoded.raw !== 'number' || Number.isFinite(decoded.raw))) out.set(signal.name, decoded);
    return out.get(signal.name);
  };
  for (const s of message.signals) visit(s, 0);
  return out;
}

/** True when two physical values agree to 1e-9 relative (the reference keeps binary noise). */
export function sameValue(a, b) {
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * sameValue, except that float32 signals compare as float32 (the decoder gives the shortest
 * decimal, 0.1, of what the reference widens to 0.10000000149011612) and, when scaled, to the
 * 7 significant digits a float32 carries.
 */
export function sameSignalValue(signal, a, b) {
  if (signal.valueType !== 'float32') return sameValue(a, b);
  if (signal.factor === 1 && signal.offset === 0) return Math.fround(a) === Math.fround(b);
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}
