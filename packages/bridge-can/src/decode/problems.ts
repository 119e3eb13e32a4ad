import type { DbcMessage, DbcSignal } from '../dbc/types.js';

/** Kinds of decode problem, per frame. */
export type CanDecodeProblemKind =
  /** The frame is shorter than some signals need; those were not decoded (the others were). */
  | 'short_frame'
  /** A float signal holds NaN or an infinity, which no ingest service accepts; it was left out. */
  | 'not_finite';

/** Every decode problem kind. */
export const CAN_DECODE_PROBLEM_KINDS: readonly CanDecodeProblemKind[] = ['short_frame', 'not_finite'];

/** One problem with one frame: which message, which signals, and why. */
export interface CanDecodeProblem {
  kind: CanDecodeProblemKind;
  message: string;
  /** The DBC message's name and bus id. */
  messageName: string;
  id: number;
  extended: boolean;
  /** The signals left out. */
  signals: string[];
}

const names = (signals: readonly DbcSignal[], indexes: number[]): string[] => indexes.map((i) => signals[i]!.name);

function list(items: string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

/**
 * The problems of a frame that left signals out (built only when one did). `need` is the payload
 * length each signal needs: one needing more than the message's declared length is decoded only
 * from frames longer than the message (a CAN FD sender padding further), and is said as the DBC error it is.
 */
export function describeMissing(
  message: DbcMessage,
  signals: readonly DbcSignal[],
  length: number,
  missing: number[] | undefined,
  notFinite: number[] | undefined,
  need: ArrayLike<number>,
): CanDecodeProblem[] {
  const problems: CanDecodeProblem[] = [];
  const base = { messageName: message.name, id: message.id, extended: message.extended };
  if (missing) {
    const short = names(signals, missing.filter((i) => need[i]! <= message.length));
    const past = names(signals, missing.filter((i) => need[i]! > message.length));
    const parts: string[] = [];
    if (short.length > 0) parts.push(`the frame has ${length} of ${message.length} bytes; ${short.length} signal${short.length === 1 ? '' : 's'} not decoded (${list(short)})`);
    if (past.length > 0) {
      parts.push(`${list(past)} ${past.length === 1 ? 'lies' : 'lie'} past the message's declared length of ${message.length} bytes, so ${past.length === 1 ? 'it is' : 'they are'} decoded only from frames longer than that (a DBC error: check the start bit and length, or the message's length)`);
    }
    problems.push({ kind: 'short_frame', ...base, signals: names(signals, missing), message: `${message.name}: ${parts.join('; ')}` });
  }
  if (notFinite) {
    const left = names(signals, notFinite);
    problems.push({ kind: 'not_finite', ...base, signals: left, message: `${message.name}: ${list(left)} ${left.length === 1 ? 'is' : 'are'} NaN or infinite; left out` });
  }
  return problems;
}
