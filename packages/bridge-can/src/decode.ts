import type { DecodeProblem, DecodeResult, Point, Tags } from '@fieldbridge/core/bridge';
import { signalNames, type CanPlan, type MessagePlan, type SignalNames, type SignalPlan } from './decode-plan.js';
import type { CanFrameInput } from './decode/can-decoder.js';
import { samePgnHint, samePgnMessage } from './pgn-hint.js';
import { formatId } from './resolve.js';

/** What became of a frame. */
export type FrameOutcome =
  /** A message the section reads: its signals decoded (some may be problems). */
  | 'decoded'
  /** A message of the DBC files the section leaves out (`messages` / `signals`). */
  | 'excluded'
  /** No DBC file defines its id. */
  | 'unknown'
  /** An error frame (the controller's report of bus trouble). */
  | 'error'
  /** A remote (RTR) frame: a request, no data. */
  | 'remote';

/** Kinds of {@link CanFrameProblem}: the `kind` label of `fieldbridge_source_errors_total`. */
export type CanFrameProblemKind = 'short_frame' | 'not_finite' | 'unknown_id' | 'error_frame';

/** One problem with one frame. */
export interface CanFrameProblem extends DecodeProblem {
  kind: CanFrameProblemKind;
  /** The frame's id, and whether it is extended. */
  id: number;
  extended: boolean;
  /** The DBC message, for `short_frame` and `not_finite`. */
  messageName?: string;
}

/** A point passes the change filter only when the point before it did: the text of a value table follows its number. */
export const FOLLOWS_PREVIOUS = -2;

/** What one frame gave. */
export interface CanFrameResult extends DecodeResult<CanFrameProblem> {
  outcome: FrameOutcome;
  /**
   * For each point, the change-filter rule it answers to (an index into `CanPlan.rules`), -1
   * when nothing is held back, or {@link FOLLOWS_PREVIOUS}.
   */
  rules: number[];
  /** The J1939 source address of a frame matched by PGN (its series are kept apart by it). */
  sourceAddress?: number;
}

/** Error classes of an error frame's id (linux/can/error.h). */
const ERROR_CLASSES: [number, string][] = [
  [0x001, 'transmission timed out'],
  [0x002, 'arbitration lost'],
  [0x004, 'controller problem (overflow or error-passive)'],
  [0x008, 'protocol violation (bit, form or stuff error)'],
  [0x010, 'transceiver problem (wiring)'],
  [0x020, 'no ACK on transmission (no other node on the bus?)'],
  [0x040, 'bus-off'],
  [0x080, 'bus error'],
  [0x100, 'controller restarted'],
];

/** What an error frame says, in words, and what to do about it. */
export function describeErrorFrame(id: number): string {
  const classes = ERROR_CLASSES.filter(([bit]) => (id & bit) !== 0).map(([, text]) => text);
  // Vector and PEAK logs (and MDF4's CAN_ErrorFrame) record that an error frame was seen, not its class.
  const what = classes.length > 0 ? `: ${classes.join(', ')}` : id === 0 ? ' (the log does not record its class)' : `: class 0x${id.toString(16)}`;
  return `error frame${what}; check the wiring, termination and bit rate of the bus`;
}

const hex = (data: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < data.length; i++) out += (data[i]! < 16 ? '0' : '') + data[i]!.toString(16).toUpperCase();
  return out;
};

function namesFor(plan: CanPlan, mp: MessagePlan, sp: SignalPlan, sourceAddress: number | undefined): SignalNames | undefined {
  if (sp.names) return sp.names;
  const sa = sourceAddress ?? 0;
  let names = sp.bySource!.get(sa);
  if (!names) {
    const rendered = signalNames(plan, mp.decoder.message, sp.signal, sa, sp.naming);
    if (!rendered.ok) return undefined;
    names = rendered.names;
    // Source addresses are 8 bits: at most 256 entries per signal.
    sp.bySource!.set(sa, names);
  }
  return names;
}

function textTags(sp: SignalPlan, base: Tags | undefined, raw: number, text: string): Tags {
  let tags = sp.textTags!.get(raw);
  if (!tags) sp.textTags!.set(raw, (tags = { ...base, text }));
  return tags;
}

/**
 * Decodes one frame with `plan` into points stamped `timestampMs`: one per selected signal the
 * frame holds (class metric, tags from the section and the DBC), and, under `value_text: point`,
 * an event `<metric>.text` after each number that has value-table text. Pure, and never throws:
 * a frame shorter than its message gives the signals it fully holds and a `short_frame`
 * problem (none for messages declared longer than a frame, which J1939's transport protocol
 * carries); NaN and infinite floats are left out (`not_finite`); unknown ids give `unknown_id`
 * (and, with `unknown_frames.forward`, an event whose value is the payload in hex).
 */
export function decodeFrame(plan: CanPlan, frame: CanFrameInput, timestampMs: number): CanFrameResult {
  if (frame.error) {
    return { outcome: 'error', points: [], rules: [], problems: [{ kind: 'error_frame', id: frame.id, extended: false, message: `${plan.bus}: ${describeErrorFrame(frame.id)}` }] };
  }
  if (frame.rtr) return { outcome: 'remote', points: [], problems: [], rules: [] };
  const decoder = plan.decoder.find(frame.id, frame.extended);
  if (!decoder) {
    const same = samePgnMessage(plan.exactPgns, frame.id, frame.extended);
    const problem: CanFrameProblem = { kind: 'unknown_id', id: frame.id, extended: frame.extended, message: `${plan.bus}: no DBC file defines id ${formatId(frame.id, frame.extended)}${same ? `; ${samePgnHint(same)}` : ''}` };
    if (!plan.unknown.forward) return { outcome: 'unknown', points: [], rules: [], problems: [problem] };
    const point: Point = { metric: plan.unknown.render(frame.id, frame.extended), value: hex(frame.data), timestamp: timestampMs, class: 'event' };
    return { outcome: 'unknown', points: [point], rules: [plan.unknown.rule], problems: [problem] };
  }
  const mp = plan.messages.get(decoder);
  if (!mp) return { outcome: 'excluded', points: [], problems: [], rules: [] };
  const values = mp.values;
  decoder.decodeInto(frame.data, values);
  const sourceAddress = decoder.byPgn ? frame.id & 0xff : undefined;
  const points: Point[] = [];
  const rules: number[] = [];
  for (const sp of mp.signals) {
    if (values.present[sp.index] === 0) continue;
    const names = namesFor(plan, mp, sp, sourceAddress);
    if (!names) continue;
    const value = values.value[sp.index]!;
    const text = plan.valueText === 'off' ? undefined : sp.signal.values?.get(values.raw[sp.index]!);
    const tags = text !== undefined && sp.textTags ? textTags(sp, names.tags, values.raw[sp.index]!, text) : names.tags;
    points.push(tags ? { metric: names.metric, value, timestamp: timestampMs, class: 'metric', tags } : { metric: names.metric, value, timestamp: timestampMs, class: 'metric' });
    rules.push(sp.rule);
    if (text !== undefined && names.textMetric !== undefined) {
      points.push(names.tags ? { metric: names.textMetric, value: text, timestamp: timestampMs, class: 'event', tags: names.tags } : { metric: names.textMetric, value: text, timestamp: timestampMs, class: 'event' });
      rules.push(FOLLOWS_PREVIOUS);
    }
  }
  const result: CanFrameResult = { outcome: 'decoded', points, rules, problems: [] };
  if (sourceAddress !== undefined) result.sourceAddress = sourceAddress;
  for (const p of values.problems) {
    if (p.kind === 'short_frame' && mp.longerThanFrames) continue;
    if (!p.signals.some((name) => mp.selectedNames.has(name))) continue;
    result.problems.push({ kind: p.kind, id: frame.id, extended: frame.extended, messageName: p.messageName, message: `${plan.bus}: ${p.message}` });
  }
  return result;
}
