import type { DbcLimits } from './limits.js';
import type { AttributeValue, DbcAttributeDefinition, DbcByteOrder, DbcLocation, DbcMuxRange, DbcProblem, DbcProblemKind } from './types.js';

/** What the statements of one file said, before references between them are resolved. */

export interface RawSignal {
  name: string;
  /** `M` / `mN` / `mNM` as written. */
  switch: boolean;
  muxValue?: number;
  startBit: number;
  length: number;
  byteOrder: DbcByteOrder;
  signed: boolean;
  factor: number;
  offset: number;
  minimum: number;
  maximum: number;
  unit: string;
  receivers: string[];
  location: DbcLocation;
}

export interface RawMessage {
  /** As written: bit 31 set for extended ids. */
  rawId: number;
  name: string;
  length: number;
  transmitter: string;
  signals: RawSignal[];
  location: DbcLocation;
}

/** What a `CM_` or `BA_` statement is about. */
export type RawTarget =
  | { type: 'network' }
  | { type: 'node'; name: string }
  | { type: 'message'; rawId: number }
  | { type: 'signal'; rawId: number; name: string }
  | { type: 'envvar'; name: string };

export interface RawDbc {
  file: string;
  version: string;
  nodes: { name: string; location: DbcLocation }[];
  valueTables: Map<string, Map<number, string>>;
  messages: RawMessage[];
  senders: { rawId: number; nodes: string[]; location: DbcLocation }[];
  comments: { target: RawTarget; text: string; location: DbcLocation }[];
  attributeDefinitions: (DbcAttributeDefinition & { location: DbcLocation })[];
  attributeDefaults: { name: string; value: AttributeValue; location: DbcLocation }[];
  attributeValues: { name: string; target: RawTarget; value: AttributeValue; location: DbcLocation }[];
  valueDescriptions: { rawId: number; signal: string; values: Map<number, string>; location: DbcLocation }[];
  valueTypes: { rawId: number; signal: string; type: number; location: DbcLocation }[];
  muxValues: { rawId: number; signal: string; switchName: string; ranges: DbcMuxRange[]; location: DbcLocation }[];
}

/** Shared state of one file's parse: the raw result, problems, limits and counters. */
export interface ParseState {
  raw: RawDbc;
  problems: DbcProblem[];
  limits: DbcLimits;
  signalCount: number;
  otherCount: number;
  /** The message the next `SG_` lines belong to. */
  current: RawMessage | undefined;
  /** The last `BO_` was dropped (reported already): its `SG_` lines go quietly with it. */
  skipSignals: boolean;
  /** Limit categories already reported, so each is reported once. */
  limitsHit: Set<string>;
  /** What the statement being parsed defines, once its name is read: lost with it on a syntax error. */
  defining?: { message: string; signal?: string } | undefined;
}

export function emptyRaw(file: string): RawDbc {
  return {
    file,
    version: '',
    nodes: [],
    valueTables: new Map(),
    messages: [],
    senders: [],
    comments: [],
    attributeDefinitions: [],
    attributeDefaults: [],
    attributeValues: [],
    valueDescriptions: [],
    valueTypes: [],
    muxValues: [],
  };
}

export function problemAt(state: ParseState, kind: DbcProblemKind, at: { line: number; column: number }, message: string): void {
  state.problems.push({ kind, file: state.raw.file, line: at.line, column: at.column, message });
}

/** Counts one more "other" item (node, comment, attribute...); false (reported once) past the limit. */
export function countOther(state: ParseState, at: { line: number; column: number }): boolean {
  state.otherCount++;
  if (state.otherCount <= state.limits.maxOtherItems) return true;
  if (!state.limitsHit.has('other')) {
    state.limitsHit.add('other');
    problemAt(state, 'limit', at, `more than ${state.limits.maxOtherItems} nodes, comments or attributes; the rest were ignored`);
  }
  return false;
}
