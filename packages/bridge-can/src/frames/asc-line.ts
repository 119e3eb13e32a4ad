import { decimalSecondsToMs, MAX_EXTENDED_ID, MAX_STANDARD_ID, type CanFrame } from './can-frame.js';
import type { CandumpLineResult } from './candump-line.js';
import { wallTimeToEpochMs, type WallTime } from '@fieldbridge/core/bridge';

/**
 * Reads the lines of a Vector ASC log (the ASCII logging format of CANalyzer and CANoe, which
 * most CAN tools export), one at a time, keeping the header's state:
 *
 *   date Wed Nov 15 14:13:20.125 pm 2023          when the measurement started (wall clock)
 *   base hex  timestamps absolute                 ids and data in hex or dec; times since the start, or since the previous event
 *   Begin Triggerblock Wed Nov 15 14:13:20.125 pm 2023
 *      0.010250 1  123             Rx   d 8 01 02 03 04 05 06 07 08
 *      0.020500 2  18FEF100x       Tx   d 3 0A 0B 0C   Length = 0 BitCount = 0 ID = 419361024x
 *      0.030000 1  7FF             Rx   r 2           remote frame
 *      0.040000 1  ErrorFrame
 *      0.050000 CANFD   1 Rx        1A0  EngineData   1 0 d 32 00 11 22 ... (then timing fields)
 *   End TriggerBlock
 *
 * Frames carry the epoch time the date (or the trigger block's date) gives in `timeZone`, plus
 * the line's offset, and their channel number as `interface`. Other events (statistics, chip
 * status, J1939 transport, system variables, comments) are skipped; a line that is none of these
 * gives `{ ok: false }` with the reason, never an exception.
 */
export interface AscReader {
  /** Parses one line: a frame, a problem, or undefined for a header or an event that is not a frame. */
  parse(line: string): CandumpLineResult | undefined;
}

/** Options of {@link createAscReader}. */
export interface AscReaderOptions {
  /** The zone the log's dates are in (see `isTimeZone`). Default `local`: this process's. */
  timeZone?: string;
  /**
   * Refuse events before the log names its date (`unsupported`): their times count from 0,
   * which only a replay moving them onto its own clock can use. Default false.
   */
  requireDate?: boolean;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  // German CANoe installations write these.
  mär: 3, mrz: 3, mai: 5, okt: 10, dez: 12,
};

const EVENT = /^(\d{1,10})\.(\d{1,9})\s+(.*)$/;
const CLASSIC_ID = /^([0-9A-Fa-f]{1,10})([xX]?)$/;
const DLC_TO_LENGTH = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

const bad = (message: string): CandumpLineResult => ({ ok: false, kind: 'malformed', message });

/** `Wed Nov 15 14:13:20.125 pm 2023` (weekday first; am/pm optional; ms optional) as a wall time. */
export function parseAscDate(text: string): WallTime | undefined {
  const m = /^\S+\s+(\S+)\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{0,6}))?(?:\s+(am|pm))?\s+(\d{4})$/i.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS[(m[1] ?? '').toLowerCase().replace(/\.$/, '')];
  if (month === undefined) return undefined;
  let hour = Number(m[3]);
  const half = m[7]?.toLowerCase();
  if (half !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (half === 'pm' ? 12 : 0);
  }
  const fraction = m[6] ?? '0';
  const wall = { year: Number(m[8]), month, day: Number(m[2]), hour, minute: Number(m[4]), second: Number(m[5]), millisecond: Math.floor(Number(fraction.padEnd(3, '0').slice(0, 3))) };
  if (wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59 || wall.second > 60) return undefined;
  return wall;
}

/** Creates a reader for one log, read from its first line on. */
export function createAscReader(options: AscReaderOptions = {}): AscReader {
  const zone = options.timeZone ?? 'local';
  let radix = 16;
  let relative = false;
  /** Epoch ms of the measurement's start; undefined until a date is read. */
  let startMs: number | undefined;
  /** The last event's offset (ms), for relative timestamps. */
  let lastMs = 0;

  const byte = (token: string): number | undefined => {
    if (!(radix === 16 ? /^[0-9A-Fa-f]{1,2}$/ : /^\d{1,3}$/).test(token)) return undefined;
    const value = parseInt(token, radix);
    return value <= 255 ? value : undefined;
  };

  const readData = (tokens: readonly string[], from: number, length: number): Uint8Array | string => {
    if (tokens.length < from + length) return `${length} data bytes announced, ${Math.max(0, tokens.length - from)} given`;
    const data = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const value = byte(tokens[from + i] ?? '');
      if (value === undefined) return `data byte "${(tokens[from + i] ?? '').slice(0, 10)}" is not ${radix === 16 ? 'hexadecimal' : 'decimal'} 0-255`;
      data[i] = value;
    }
    return data;
  };

  const readId = (token: string): { id: number; extended: boolean } | string => {
    const m = CLASSIC_ID.exec(token);
    if (!m || (radix === 10 && !/^\d+$/.test(m[1] ?? ''))) return `id "${token.slice(0, 20)}" is not a CAN id`;
    const id = parseInt(m[1] ?? '', radix);
    const extended = m[2] !== '';
    if (id > (extended ? MAX_EXTENDED_ID : MAX_STANDARD_ID)) return `${extended ? 'extended' : 'standard'} id ${token} is over ${extended ? '0x1FFFFFFF' : '0x7FF'}`;
    return { id, extended };
  };

  const header = (trimmed: string): CandumpLineResult | null | undefined => {
    if (trimmed.startsWith('//')) return undefined;
    let m = /^date\s+(.*)$/i.exec(trimmed);
    if (m) {
      const wall = parseAscDate(m[1] ?? '');
      if (!wall) return bad(`date "${(m[1] ?? '').slice(0, 60)}" is not a date this reader knows (e.g. Wed Nov 15 02:13:20.125 pm 2023)`);
      startMs = wallTimeToEpochMs(wall, zone);
      return undefined;
    }
    m = /^base\s+(hex|dec)(?:\s+timestamps\s+(absolute|relative))?/i.exec(trimmed);
    if (m) {
      radix = m[1]?.toLowerCase() === 'dec' ? 10 : 16;
      relative = m[2]?.toLowerCase() === 'relative';
      return undefined;
    }
    if (/^(no\s+)?internal\s+events\s+logged/i.test(trimmed) || /^end\s+triggerblock/i.test(trimmed)) return undefined;
    m = /^begin\s+triggerblock\b\s*(.*)$/i.exec(trimmed);
    if (m) {
      const wall = m[1] ? parseAscDate(m[1]) : undefined;
      if (wall) startMs = wallTimeToEpochMs(wall, zone);
      lastMs = 0;
      return undefined;
    }
    return null;
  };

  const classic = (tokens: readonly string[], frame: CanFrame): CandumpLineResult | undefined => {
    // channel id dir d|r dlc data...
    const [, idText = '', dir = '', kind = ''] = tokens;
    if (!/^(rx|tx)$/i.test(dir)) return undefined;
    const id = readId(idText);
    if (typeof id === 'string') return bad(id);
    frame.id = id.id;
    frame.extended = id.extended;
    if (kind.toLowerCase() === 'r') {
      frame.rtr = true;
      return { ok: true, frame };
    }
    if (kind.toLowerCase() !== 'd') return bad(`"${kind.slice(0, 10)}" after the direction is neither d (data) nor r (remote)`);
    const dlc = parseInt(tokens[4] ?? '', 16);
    if (!/^[0-9A-Fa-f]$/.test(tokens[4] ?? '')) return bad(`DLC "${(tokens[4] ?? '').slice(0, 10)}" is not 0-F`);
    const data = readData(tokens, 5, Math.min(8, dlc));
    if (typeof data === 'string') return bad(data);
    frame.data = data;
    return { ok: true, frame };
  };

  const fd = (tokens: readonly string[], frame: CanFrame): CandumpLineResult | undefined => {
    // CANFD channel dir id [symbolic name] brs esi dlc length data... (then timing fields)
    const [, channel = '', dir = '', idText = ''] = tokens;
    if (!/^\d{1,3}$/.test(channel) || !/^(rx|tx)$/i.test(dir)) return /^errorframe$/i.test(dir) ? errorFrame(frame, channel) : undefined;
    frame.interface = channel;
    const id = readId(idText);
    if (typeof id === 'string') return bad(id);
    const at = /^[01]$/.test(tokens[4] ?? '') ? 4 : 5;
    const [brs = '', esi = '', dlcText = '', lengthText = ''] = tokens.slice(at, at + 4);
    if (!/^[01]$/.test(brs) || !/^[01]$/.test(esi)) return bad('CAN FD line without its BRS and ESI flags (0 or 1)');
    if (!/^[0-9A-Fa-f]$/.test(dlcText)) return bad(`CAN FD DLC "${dlcText.slice(0, 10)}" is not 0-F`);
    const length = Number(lengthText);
    if (!/^\d{1,2}$/.test(lengthText) || !DLC_TO_LENGTH.includes(length)) return bad(`CAN FD data length "${lengthText.slice(0, 10)}" is not one of ${DLC_TO_LENGTH.join(', ')}`);
    const data = readData(tokens, at + 4, length);
    if (typeof data === 'string') return bad(data);
    frame.id = id.id;
    frame.extended = id.extended;
    frame.fd = true;
    frame.brs = brs === '1';
    frame.esi = esi === '1';
    frame.data = data;
    return { ok: true, frame };
  };

  const errorFrame = (frame: CanFrame, channel: string): CandumpLineResult => {
    frame.interface = channel;
    frame.error = true;
    return { ok: true, frame };
  };

  return {
    parse(line) {
      const trimmed = line.trim();
      if (trimmed === '') return undefined;
      const event = EVENT.exec(trimmed);
      if (!event) {
        const known = header(trimmed);
        return known === null ? bad('not a Vector ASC line (an event starts with its time in seconds, e.g. 0.010250)') : known;
      }
      if (startMs === undefined && options.requireDate) {
        return { ok: false, kind: 'unsupported', message: 'an event before any date line: its time counts from 0, not from a date (replay.timestamps: replay moves such a log onto the clock)' };
      }
      const offsetMs = decimalSecondsToMs(event[1] ?? '0', event[2] ?? '');
      if (relative) lastMs += offsetMs;
      const tokens = (event[3] ?? '').split(/\s+/);
      const first = tokens[0] ?? '';
      const frame: CanFrame = { id: 0, extended: false, fd: false, data: new Uint8Array(0), timestampMs: (startMs ?? 0) + (relative ? lastMs : offsetMs), timestampSource: 'log' };
      if (first.toUpperCase() === 'CANFD') return fd(tokens, frame);
      // Statistics, chip status, J1939 transport, system variables: events, not frames.
      if (!/^\d{1,3}$/.test(first)) return undefined;
      frame.interface = first;
      if (/^errorframe$/i.test(tokens[1] ?? '')) return errorFrame(frame, first);
      return classic(tokens, frame);
    },
  };
}
