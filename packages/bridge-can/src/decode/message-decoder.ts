import { float32Value } from '@fieldbridge/core';
import type { DbcMessage, DbcSignal } from '../dbc/types.js';
import { compilePlan, type Plan } from './_compile.js';
import { describeMissing, type CanDecodeProblem } from './problems.js';

/**
 * The values of one frame, in arrays indexed like {@link MessageDecoder.signals}. Allocate one
 * with {@link MessageDecoder.createValues} and reuse it: decoding into it allocates nothing
 * unless something goes wrong (a problem) or a raw integer passes 2^53.
 */
export interface SignalValues {
  /** 1 where the signal was decoded; 0 where it is not in this frame (multiplexed out, frame too short, not finite). */
  present: Uint8Array;
  /**
   * The raw integer (for float signals, the float itself). Exact up to ±2^53. Like `value` and
   * `exactRaw`, meaningful only where `present` is 1.
   */
  raw: Float64Array;
  /** The physical value: raw * factor + offset, free of binary noise (see the README). */
  value: Float64Array;
  /** For integers outside the safe range only (|raw| >= 2^53): the exact raw value in decimal (`raw` holds the nearest double). */
  exactRaw: (string | undefined)[];
  /** What went wrong with the last frame; empty when nothing did. */
  problems: CanDecodeProblem[];
}

/** One decoded signal, for callers that want names rather than arrays. */
export interface DecodedSignal {
  name: string;
  /** The physical value. */
  value: number;
  unit: string;
  /** The value table's text for the raw value (`VAL_`); undefined when there is none. */
  text?: string | undefined;
  /** The exact raw integer in decimal, only when |raw| >= 2^53 (see {@link SignalValues.exactRaw}); undefined otherwise. */
  exactRaw?: string | undefined;
  signal: DbcSignal;
}

/** One decoded frame. */
export interface DecodedMessage {
  message: DbcMessage;
  /** The signals the frame holds, multiplexors before the signals they select. */
  signals: DecodedSignal[];
  problems: CanDecodeProblem[];
}

/** A decoder compiled for one message. */
export interface MessageDecoder {
  readonly message: DbcMessage;
  /** The message's signals in decoding order (multiplexors first): the index of every array. */
  readonly signals: readonly DbcSignal[];
  /** Matched by J1939 PGN, the source address ignored, rather than by the exact id. */
  readonly byPgn: boolean;
  /**
   * Set when the DBC defines this message's PGN once per sender: frames of the PGN from this
   * source address are read with this message (the first of them also reads other senders).
   */
  readonly sourceAddress?: number;
  /** With `sourceAddress`: this message also reads its PGN from the senders no message names. */
  readonly readsOtherSenders?: boolean;
  /** Set when the DBC defines this message's PDU1 PGN once per destination: it reads the frames to this one. */
  readonly destinationAddress?: number;
  createValues(): SignalValues;
  /** Decodes `data` into `out` and returns how many signals are present. Never throws. */
  decodeInto(data: Uint8Array, out: SignalValues): number;
  /** Decodes `data` into named results (allocates them). Never throws. */
  decode(data: Uint8Array): DecodedMessage;
}

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
const TWO_21 = 2097152;
const NO_PROBLEMS: CanDecodeProblem[] = [];
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Compiles the decoder of `message` once: shifts, masks, weights and scaling precomputed.
 * `byPgn`, `sourceAddress`, `readsOtherSenders` and `destinationAddress` only record how {@link createCanDecoder} matches it (default: by
 * exact id).
 */
export function compileMessageDecoder(message: DbcMessage, options: { byPgn?: boolean; sourceAddress?: number; readsOtherSenders?: boolean; destinationAddress?: number } = {}): MessageDecoder {
  const plan = compilePlan(message);
  const n = plan.signals.length;
  const createValues = (): SignalValues => ({
    present: new Uint8Array(n),
    raw: new Float64Array(n),
    value: new Float64Array(n),
    exactRaw: new Array<string | undefined>(n).fill(undefined),
    problems: [],
  });
  const reusable = createValues();
  const decodeInto = (data: Uint8Array, out: SignalValues): number => run(plan, message, data, out);
  return {
    message,
    signals: plan.signals,
    byPgn: options.byPgn ?? false,
    ...(options.sourceAddress === undefined ? {} : { sourceAddress: options.sourceAddress, readsOtherSenders: options.readsOtherSenders ?? false }),
    ...(options.destinationAddress === undefined ? {} : { destinationAddress: options.destinationAddress }),
    createValues,
    decodeInto,
    decode(data) {
      decodeInto(data, reusable);
      const signals: DecodedSignal[] = [];
      for (let i = 0; i < n; i++) {
        if (reusable.present[i] === 0) continue;
        const signal = plan.signals[i]!;
        // Every result has the same keys (undefined where there is nothing), so that V8 keeps
        // one shape for all of them.
        signals.push({
          name: signal.name,
          value: reusable.value[i]!,
          unit: signal.unit,
          text: signal.values === undefined ? undefined : signal.values.get(reusable.raw[i]!),
          exactRaw: reusable.exactRaw[i],
          signal,
        });
      }
      return { message, signals, problems: reusable.problems.length === 0 ? [] : [...reusable.problems] };
    },
  };
}

function run(p: Plan, message: DbcMessage, data: Uint8Array, out: SignalValues): number {
  const n = p.signals.length;
  const length = data.length;
  const { present, raw, value, exactRaw } = out;
  let missing: number[] | undefined;
  let notFinite: number[] | undefined;
  let count = 0;
  if (out.problems.length !== 0) out.problems = NO_PROBLEMS.slice();
  for (let s = 0; s < n; s++) {
    present[s] = 0;
    const m = p.mux[s]!;
    if (m >= 0) {
      if (present[m] === 0) continue;
      const selector = raw[m]!;
      let selected = false;
      for (let r = p.muxStart[s]!; r < p.muxEnd[s]!; r++) {
        if (selector >= p.muxRanges[2 * r]! && selector <= p.muxRanges[2 * r + 1]!) {
          selected = true;
          break;
        }
      }
      if (!selected) continue;
    }
    if (p.need[s]! > length) {
      (missing ??= []).push(s);
      continue;
    }
    let lo = 0;
    const mid = p.chunkMid[s]!;
    for (let c = p.chunkStart[s]!; c < mid; c++) lo += ((data[p.chunkByte[c]!]! >>> p.chunkShift[c]!) & p.chunkMask[c]!) * p.chunkWeight[c]!;
    let r: number;
    switch (p.kind[s]) {
      case 0:
        r = lo;
        break;
      case 1:
        r = lo >= p.signHalf[s]! ? lo - p.signMod[s]! : lo;
        break;
      case 4:
        scratch.setUint32(0, lo);
        r = float32Value(scratch.getFloat32(0));
        break;
      default: {
        let hi = 0;
        const end = p.chunkEnd[s]!;
        for (let c = mid; c < end; c++) hi += ((data[p.chunkByte[c]!]! >>> p.chunkShift[c]!) & p.chunkMask[c]!) * p.chunkWeight[c]!;
        if (p.kind[s] === 5) {
          scratch.setUint32(0, hi);
          scratch.setUint32(4, lo);
          r = scratch.getFloat64(0);
          break;
        }
        if (p.kind[s] === 3 && hi >= p.signHalf[s]!) hi -= p.signMod[s]!;
        // hi * 2^32 is exact; adding lo rounds once, so r is the double nearest the raw integer.
        r = hi * TWO_32 + lo;
        // Outside the safe integers (|raw| >= 2^53) r may not be the integer: give it exactly.
        // The test is on hi, since r itself may have rounded onto 2^53.
        exactRaw[s] = hi >= TWO_21 || hi < -TWO_21 || (hi === -TWO_21 && lo === 0) ? (BigInt(hi) * 4294967296n + BigInt(lo)).toString() : undefined;
      }
    }
    if (r !== r || r === Infinity || r === -Infinity) {
      (notFinite ??= []).push(s);
      continue;
    }
    raw[s] = r;
    const kind = p.scaleKind[s];
    if (kind === 0) value[s] = r;
    else {
      let v = r * p.factor[s]! + p.offset[s]!;
      if (p.kind[s]! >= 4) {
        // A float32 carries about 7 significant digits; scaling it must not invent 17.
        if (p.kind[s] === 4) v = Number(v.toPrecision(9));
      } else if (kind === 1) {
        const t = r * p.scaleA[s]! + p.scaleB[s]!;
        if (t < TWO_53 && t > -TWO_53) v = t / p.scaleD[s]!;
      }
      value[s] = v;
    }
    present[s] = 1;
    count++;
  }
  if (missing || notFinite) out.problems = describeMissing(message, p.signals, length, missing, notFinite, p.need);
  return count;
}
