import { bitChunks, bytesNeeded, signalBitPositions } from '../bits/signal-bits.js';
import type { DbcMessage, DbcSignal } from '../dbc/types.js';
import { scalingOf } from '../bits/_scaling.js';

/**
 * How a signal's bits become its raw value, the decoder's switch: 0 unsigned up to 32 bits,
 * 1 signed up to 32 bits, 2 unsigned 33-64 bits, 3 signed 33-64 bits, 4 float32, 5 float64.
 */
export type Kind = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * One message's decoding plan in flat typed arrays, built once: per signal its kind, the bytes
 * it needs, its multiplexor and scaling; per run of bits inside one byte the byte, shift, mask
 * and weight. Signals are ordered so that every multiplexor comes before what it selects.
 */
export interface Plan {
  signals: DbcSignal[];
  kind: Uint8Array;
  need: Uint16Array;
  /** Chunks of signal s: low half [chunkStart[s], chunkMid[s]), high half [chunkMid[s], chunkEnd[s]). */
  chunkStart: Uint32Array;
  chunkMid: Uint32Array;
  chunkEnd: Uint32Array;
  chunkByte: Uint16Array;
  chunkShift: Uint8Array;
  chunkMask: Uint8Array;
  chunkWeight: Float64Array;
  /** 2^length and 2^(length-1) for 32-bit signed signals; for 64-bit ones, of the high half. */
  signMod: Float64Array;
  signHalf: Float64Array;
  mux: Int32Array;
  muxStart: Uint32Array;
  muxEnd: Uint32Array;
  /** [min, max] pairs of raw multiplexor values. */
  muxRanges: Float64Array;
  scaleKind: Uint8Array;
  scaleA: Float64Array;
  scaleB: Float64Array;
  scaleD: Float64Array;
  factor: Float64Array;
  offset: Float64Array;
  values: (ReadonlyMap<number, string> | undefined)[];
}

/** Multiplexors first: a depth-first order over the `multiplexer` links (the parser removed cycles). */
function orderSignals(signals: readonly DbcSignal[]): DbcSignal[] {
  const byName = new Map(signals.map((s) => [s.name, s]));
  const out: DbcSignal[] = [];
  const placed = new Set<DbcSignal>();
  const visiting = new Set<DbcSignal>();
  const place = (s: DbcSignal): void => {
    if (placed.has(s) || visiting.has(s)) return;
    visiting.add(s);
    const parent = s.multiplexer ? byName.get(s.multiplexer.signal) : undefined;
    if (parent) place(parent);
    visiting.delete(s);
    placed.add(s);
    out.push(s);
  };
  for (const s of signals) place(s);
  return out;
}

function kindOf(s: DbcSignal): Kind {
  if (s.valueType === 'float32') return 4;
  if (s.valueType === 'float64') return 5;
  if (s.length <= 32) return s.signed ? 1 : 0;
  return s.signed ? 3 : 2;
}

export function compilePlan(message: DbcMessage): Plan {
  const signals = orderSignals(message.signals);
  const n = signals.length;
  const index = new Map(signals.map((s, i) => [s.name, i]));
  const layouts = signals.map((s) => {
    const positions = signalBitPositions(s.startBit, s.length, s.byteOrder);
    return { chunks: bitChunks(positions), need: bytesNeeded(positions) };
  });
  const chunkCount = layouts.reduce((sum, l) => sum + l.chunks.length, 0);
  const rangeCount = signals.reduce((sum, s) => sum + (s.multiplexer?.ranges.length ?? 0), 0);
  const plan: Plan = {
    signals,
    kind: new Uint8Array(n),
    need: new Uint16Array(n),
    chunkStart: new Uint32Array(n),
    chunkMid: new Uint32Array(n),
    chunkEnd: new Uint32Array(n),
    chunkByte: new Uint16Array(chunkCount),
    chunkShift: new Uint8Array(chunkCount),
    chunkMask: new Uint8Array(chunkCount),
    chunkWeight: new Float64Array(chunkCount),
    signMod: new Float64Array(n),
    signHalf: new Float64Array(n),
    mux: new Int32Array(n).fill(-1),
    muxStart: new Uint32Array(n),
    muxEnd: new Uint32Array(n),
    muxRanges: new Float64Array(rangeCount * 2),
    scaleKind: new Uint8Array(n),
    scaleA: new Float64Array(n),
    scaleB: new Float64Array(n),
    scaleD: new Float64Array(n),
    factor: new Float64Array(n),
    offset: new Float64Array(n),
    values: signals.map((s) => s.values),
  };
  let c = 0;
  let r = 0;
  signals.forEach((s, i) => {
    const { chunks, need } = layouts[i]!;
    plan.kind[i] = kindOf(s);
    plan.need[i] = need;
    plan.chunkStart[i] = c;
    plan.chunkMid[i] = c + chunks.filter((k) => k.valueBit < 32).length;
    for (const k of chunks) {
      plan.chunkByte[c] = k.byte;
      plan.chunkShift[c] = k.shift;
      plan.chunkMask[c] = (1 << k.width) - 1;
      plan.chunkWeight[c] = 2 ** (k.valueBit >= 32 ? k.valueBit - 32 : k.valueBit);
      c++;
    }
    plan.chunkEnd[i] = c;
    const signedBits = s.length > 32 ? s.length - 32 : s.length;
    plan.signMod[i] = 2 ** signedBits;
    plan.signHalf[i] = 2 ** (signedBits - 1);
    if (s.multiplexer) {
      plan.mux[i] = index.get(s.multiplexer.signal) ?? -1;
      plan.muxStart[i] = r;
      for (const range of s.multiplexer.ranges) {
        plan.muxRanges[2 * r] = range.min;
        plan.muxRanges[2 * r + 1] = range.max;
        r++;
      }
      plan.muxEnd[i] = r;
    }
    const scaling = scalingOf(s.factor, s.offset);
    plan.scaleKind[i] = scaling.kind;
    plan.scaleA[i] = scaling.a;
    plan.scaleB[i] = scaling.b;
    plan.scaleD[i] = scaling.d;
    plan.factor[i] = s.factor;
    plan.offset[i] = s.offset;
  });
  return plan;
}
