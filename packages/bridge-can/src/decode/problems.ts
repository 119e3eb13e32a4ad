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

/** The problems of a frame that left signals out (built only when one did). */
export function describeMissing(
  message: DbcMessage,
  signals: readonly DbcSignal[],
  length: number,
  missing: number[] | undefined,
  notFinite: number[] | undefined,
): CanDecodeProblem[] {
  const problems: CanDecodeProblem[] = [];
  const base = { messageName: message.name, id: message.id, extended: message.extended };
  if (missing) {
    const left = names(signals, missing);
    problems.push({
      kind: 'short_frame',
      ...base,
      signals: left,
      message: `${message.name}: the frame has ${length} of ${message.length} bytes; ${left.length} signal${left.length === 1 ? '' : 's'} not decoded (${list(left)})`,
    });
  }
  if (notFinite) {
    const left = names(signals, notFinite);
    problems.push({ kind: 'not_finite', ...base, signals: left, message: `${message.name}: ${list(left)} ${left.length === 1 ? 'is' : 'are'} NaN or infinite; left out` });
  }
  return problems;
}
