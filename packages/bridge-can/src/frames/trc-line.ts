import { CAN_FD_LENGTHS, MAX_EXTENDED_ID, type CanFrame } from './can-frame.js';
import type { CandumpLineResult } from './candump-line.js';
import { wallTimeToEpochMs, type WallTime } from '@fieldbridge/core/bridge';

/**
 * Reads the lines of a PEAK TRC log (what PCAN-View, PCAN-Explorer and PEAK's loggers write),
 * one at a time, keeping the header's state. The header is made of `;` lines:
 *
 *   ;$FILEVERSION=2.1                    the layout of the lines; a log without it is version 1.0
 *   ;$STARTTIME=45244.9258101852         the start, in days since 30 December 1899 (a wall-clock time)
 *   ;$COLUMNS=N,O,T,B,I,d,R,L,D          2.x: which column is which
 *   ;   Start time: 14.11.2023 22:13:10.000.0   (a comment; version 1.0 has only this)
 *
 * and the messages follow, a line each, their time an offset in ms from the start:
 *
 *   1.0   1)  1841  0001 8 00 01 02 03 04 05 06 07        number) offset id dlc data | RTR | ERROR ...
 *   1.1   1)  1841.3  Rx  00000100 8 00 01 02 03 04 05 06 07   type Rx, Tx, Warng (a bus warning) or Error
 *   1.2   1)  1841.3  1  Rx  0100 8 ...                   and the bus
 *   1.3   1)  1841.3  1  Rx  0100 -  8 ...                and a reserved column
 *   2.x   1  1841.300 DT 1  0100 Rx -  8  00 01 ...      by $COLUMNS; type DT (CAN), FD, FB (BRS),
 *                                                        FE (ESI), BI (both), RR (remote), ER (error)
 *
 * An id of up to 4 hex digits is standard, of more extended. Frames carry the start (read in
 * `timeZone`) plus their offset, and their bus number as `interface` when the log has one.
 * Status lines (bus warnings, hardware status, error counters, events) are not frames and are
 * skipped; a line that is none of these gives `{ ok: false }` with the reason, never an exception.
 */
export interface TrcReader {
  /** Parses one line: a frame, a problem, or undefined for a header line or a message that is not a frame. */
  parse(line: string): CandumpLineResult | undefined;
}

/** Options of {@link createTrcReader}. */
export interface TrcReaderOptions {
  /** The zone of the log's start time (see `isTimeZone`). Default `local`: this process's. */
  timeZone?: string;
  /**
   * Refuse messages of a log that names no start (`unsupported`): their times count from 0,
   * which only a replay moving them onto its own clock can use. Default false.
   */
  requireDate?: boolean;
}

/** The columns of a 2.x line, by their `$COLUMNS` letter. */
type Column = 'N' | 'O' | 'T' | 'B' | 'I' | 'd' | 'R' | 'L' | 'l' | 'D';
const COLUMNS = new Set<string>(['N', 'O', 'T', 'B', 'I', 'd', 'R', 'L', 'l', 'D']);
/** The layout of a 2.x log that names no `$COLUMNS`: version 2.0's, and 2.1's default. */
const COLUMNS_2_0: readonly Column[] = ['N', 'O', 'T', 'I', 'd', 'l', 'D'];
const COLUMNS_2_1: readonly Column[] = ['N', 'O', 'T', 'B', 'I', 'd', 'R', 'L', 'D'];

/** 30 December 1899, day 0 of the `$STARTTIME` count (the OLE automation date). */
const DAY_ZERO_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

const OFFSET = /^\d{1,10}(\.\d{1,6})?$/;
const ID = /^[0-9A-Fa-f]{1,8}$/;
/** The message types of 2.x lines that are frames. */
const FRAME_TYPES = new Set(['DT', 'FD', 'FB', 'FE', 'BI', 'RR', 'ER']);
const START_COMMENT = /^;\s*start\s*time:\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?/i;

const bad = (message: string): CandumpLineResult => ({ ok: false, kind: 'malformed', message });

/**
 * The wall-clock time a `$STARTTIME` value names: whole days since 30 December 1899 and the
 * fraction of a day, to the millisecond (the format's resolution). Undefined when it is not one.
 */
export function parseTrcStartTime(text: string): WallTime | undefined {
  if (!/^\d{1,6}(\.\d+)?$/.test(text.trim())) return undefined;
  const at = new Date(DAY_ZERO_MS + Math.round(Number(text) * DAY_MS));
  return {
    year: at.getUTCFullYear(),
    month: at.getUTCMonth() + 1,
    day: at.getUTCDate(),
    hour: at.getUTCHours(),
    minute: at.getUTCMinutes(),
    second: at.getUTCSeconds(),
    millisecond: at.getUTCMilliseconds(),
  };
}

/** An id column: up to 4 hex digits is an 11-bit id, more a 29-bit one (an id over 0x7FF is extended however written). */
function readId(token: string): { id: number; extended: boolean } | string {
  if (!ID.test(token)) return `id "${token.slice(0, 20)}" is not a CAN id (hex, 4 digits standard, 8 extended)`;
  const id = parseInt(token, 16);
  if (id > MAX_EXTENDED_ID) return `id ${token} is over 0x1FFFFFFF`;
  return { id, extended: token.length > 4 || id > 0x7ff };
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** `length` data bytes from `tokens[from]` on, each two hex digits. */
function readData(tokens: readonly string[], from: number, length: number): Uint8Array | string {
  if (tokens.length < from + length) return `${length} data bytes announced, ${Math.max(0, tokens.length - from)} given`;
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const token = tokens[from + i]!;
    const high = token.length === 2 ? hexDigit(token.charCodeAt(0)) : -1;
    const low = high < 0 ? -1 : hexDigit(token.charCodeAt(1));
    if (low < 0) return `data byte "${token.slice(0, 10)}" is not two hex digits`;
    data[i] = (high << 4) | low;
  }
  return data;
}

/** The space-separated tokens of a trimmed line (tabs count as spaces). */
function tokensOf(line: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const code = i < line.length ? line.charCodeAt(i) : 32;
    if (code === 32 || code === 9) {
      if (start >= 0) tokens.push(line.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  return tokens;
}

/** Where each column of a 2.x layout is (-1 for a column it lacks). */
function columnIndices(layout: readonly Column[]): Record<Column, number> {
  const at = (c: Column): number => layout.indexOf(c);
  return { N: at('N'), O: at('O'), T: at('T'), B: at('B'), I: at('I'), d: at('d'), R: at('R'), L: at('L'), l: at('l'), D: at('D') };
}
const INDICES_2_0 = columnIndices(COLUMNS_2_0);
const INDICES_2_1 = columnIndices(COLUMNS_2_1);

/** Creates a reader for one log, read from its first line on. */
export function createTrcReader(options: TrcReaderOptions = {}): TrcReader {
  const zone = options.timeZone ?? 'local';
  let major = 1;
  let minor = 0;
  let columns: Record<Column, number> | undefined;
  /** Epoch ms of the start: `$STARTTIME`, else the `Start time:` comment. */
  let startMs: number | undefined;
  let fromComment = false;

  const header = (trimmed: string): CandumpLineResult | undefined => {
    const keyword = /^;\$(\w+)\s*=\s*(.*)$/.exec(trimmed);
    if (!keyword) {
      const comment = START_COMMENT.exec(trimmed);
      const [day, month, year, hour, minute, second] = (comment?.slice(1, 7) ?? []).map(Number) as [number, number, number, number, number, number];
      // Day first (PEAK writes 18.12.2021); a comment that is no date leaves the start as it was.
      if (comment && (startMs === undefined || fromComment) && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59) {
        startMs = wallTimeToEpochMs({ year, month, day, hour, minute, second, millisecond: Number((comment[7] ?? '0').padEnd(3, '0')) }, zone);
        fromComment = true;
      }
      return undefined;
    }
    const [, name = '', value = ''] = keyword;
    switch (name.toUpperCase()) {
      case 'FILEVERSION': {
        const v = /^(\d+)\.(\d+)$/.exec(value.trim());
        if (!v || !((v[1] === '1' && Number(v[2]) <= 3) || v[1] === '2')) return bad(`$FILEVERSION ${value.slice(0, 20)} is not one this reader knows (1.0 to 1.3, 2.x)`);
        major = Number(v[1]);
        minor = Number(v[2]);
        return undefined;
      }
      case 'STARTTIME': {
        const wall = parseTrcStartTime(value);
        if (!wall) return bad(`$STARTTIME "${value.slice(0, 30)}" is not a number of days since 30 December 1899 (e.g. 45244.9258101852)`);
        startMs = wallTimeToEpochMs(wall, zone);
        fromComment = false;
        return undefined;
      }
      case 'COLUMNS': {
        const named = value.split(',').map((c) => c.trim());
        const unknown = named.find((c) => !COLUMNS.has(c));
        if (unknown !== undefined) return bad(`$COLUMNS names "${unknown.slice(0, 10)}", not a TRC column (N, O, T, B, I, d, R, L, l, D)`);
        const missing = ['O', 'T', 'I', 'D'].filter((c) => !named.includes(c));
        if (!named.includes('L') && !named.includes('l')) missing.push('L or l');
        if (missing.length > 0) return bad(`$COLUMNS lacks ${missing.join(', ')}`);
        columns = columnIndices(named as Column[]);
        return undefined;
      }
      default:
        // Other keywords (PCAN-Explorer's $PROTOCOL, $BUSNAME...) say nothing a frame needs.
        return undefined;
    }
  };

  const atOffset = (text: string): number | string => (OFFSET.test(text) ? (startMs ?? 0) + Number(text) : `time offset "${text.slice(0, 20)}" is not a number of ms`);

  /** Versions 1.x: fixed columns after `N)`; the data column may say RTR, or ERROR in 1.0. */
  const version1 = (tokens: readonly string[]): CandumpLineResult | undefined => {
    if (!/^\d+\)$/.test(tokens[0] ?? '')) return bad('not a PEAK TRC message (it starts with its number, e.g. "1)")');
    const bus = minor >= 2 ? tokens[2] : undefined;
    let at = minor >= 2 ? 3 : 2;
    const type = minor >= 1 ? (tokens[at++] ?? '') : 'Rx';
    const idText = tokens[at++] ?? '';
    if (minor >= 3) at++;
    const dlcText = tokens[at++] ?? '';
    if (/^warng$/i.test(type) || (minor === 0 && /^f{8}$/i.test(idText))) return undefined; // a bus warning, not a frame
    const timestampMs = atOffset(tokens[1] ?? '');
    if (typeof timestampMs === 'string') return bad(timestampMs);
    const frame: CanFrame = { id: 0, extended: false, fd: false, data: new Uint8Array(0), timestampMs, timestampSource: 'log' };
    if (bus !== undefined) {
      if (!/^\d{1,3}$/.test(bus)) return bad(`bus "${bus.slice(0, 10)}" is not a number`);
      frame.interface = bus;
    }
    if (/^error$/i.test(type) || tokens[at] === 'ERROR') {
      frame.error = true;
      return { ok: true, frame };
    }
    if (!/^(rx|tx)$/i.test(type)) return bad(`type "${type.slice(0, 10)}" is none of Rx, Tx, Warng, Error`);
    const id = readId(idText);
    if (typeof id === 'string') return bad(id);
    frame.id = id.id;
    frame.extended = id.extended;
    if (!/^\d$/.test(dlcText) || Number(dlcText) > 8) return bad(`DLC "${dlcText.slice(0, 10)}" is not 0-8`);
    if (tokens[at] === 'RTR') {
      frame.rtr = true;
      return { ok: true, frame };
    }
    const data = readData(tokens, at, Number(dlcText));
    if (typeof data === 'string') return bad(data);
    frame.data = data;
    return { ok: true, frame };
  };

  /** Versions 2.x: the columns `$COLUMNS` names; the type says what the line is. */
  const version2 = (tokens: readonly string[]): CandumpLineResult | undefined => {
    const at = columns ?? (minor === 0 ? INDICES_2_0 : INDICES_2_1);
    const column = (c: Column): string | undefined => (at[c] < 0 ? undefined : tokens[at[c]]);
    const type = column('T') ?? '';
    const kind = FRAME_TYPES.has(type) ? type : undefined;
    // Hardware status, error counter changes, user events: lines of the log, not frames.
    if (kind === undefined) return /^[A-Z]{2}$/.test(type) ? undefined : bad(`message type "${type.slice(0, 10)}" is not a TRC type (DT, FD, FB, FE, BI, RR, ER, ST, EC, EV)`);
    const timestampMs = atOffset(column('O') ?? '');
    if (typeof timestampMs === 'string') return bad(timestampMs);
    const frame: CanFrame = { id: 0, extended: false, fd: false, data: new Uint8Array(0), timestampMs, timestampSource: 'log' };
    const bus = column('B');
    if (bus !== undefined && bus !== '-') {
      if (!/^\d{1,3}$/.test(bus)) return bad(`bus "${bus.slice(0, 10)}" is not a number`);
      frame.interface = bus;
    }
    if (kind === 'ER') {
      frame.error = true;
      return { ok: true, frame };
    }
    const id = readId(column('I') ?? '');
    if (typeof id === 'string') return bad(id);
    frame.id = id.id;
    frame.extended = id.extended;
    const fd = kind !== 'DT' && kind !== 'RR';
    const lengthText = column('l');
    const dlcText = column('L') ?? '';
    let length: number;
    if (lengthText !== undefined) {
      length = Number(lengthText);
      if (!/^\d{1,2}$/.test(lengthText) || !(fd ? CAN_FD_LENGTHS.includes(length) : length <= 8)) return bad(`data length "${lengthText.slice(0, 10)}" is not ${fd ? `one of ${CAN_FD_LENGTHS.join(', ')}` : '0-8'}`);
    } else {
      if (!/^\d{1,2}$/.test(dlcText) || Number(dlcText) > 15) return bad(`DLC "${dlcText.slice(0, 10)}" is not 0-15`);
      length = fd ? CAN_FD_LENGTHS[Number(dlcText)]! : Math.min(8, Number(dlcText));
    }
    if (kind === 'RR') {
      frame.rtr = true;
      return { ok: true, frame };
    }
    const data = readData(tokens, at.D, length);
    if (typeof data === 'string') return bad(data);
    frame.data = data;
    if (fd) {
      frame.fd = true;
      frame.brs = kind === 'FB' || kind === 'BI';
      frame.esi = kind === 'FE' || kind === 'BI';
    }
    return { ok: true, frame };
  };

  return {
    parse(line) {
      const trimmed = line.trim();
      if (trimmed === '') return undefined;
      if (trimmed.startsWith(';')) return header(trimmed);
      if (startMs === undefined && options.requireDate) {
        return { ok: false, kind: 'unsupported', message: 'a message of a log that names no start ($STARTTIME or a "Start time:" comment): its time counts from 0 (replay.timestamps: replay moves such a log onto the clock)' };
      }
      const tokens = tokensOf(trimmed);
      return major === 1 ? version1(tokens) : version2(tokens);
    },
  };
}
