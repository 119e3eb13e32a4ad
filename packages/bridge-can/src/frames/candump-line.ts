import { CAN_FD_LENGTHS, decimalSecondsToMs, MAX_EXTENDED_ID, MAX_STANDARD_ID, type CanFrame } from './can-frame.js';
import { screenLineAsLog } from './candump-screen-line.js';

/**
 * One line of a `candump -L` log (can-utils' log format, which `canplayer` replays):
 *
 *   (1700000000.123456) can0 123#DEADBEEF          classic, 3 hex digits: standard id
 *   (1700000000.123456) can0 12345678#0102         8 hex digits: extended id
 *   (1700000000.123456) can0 123##1112233          CAN FD: `##`, a flags digit (1 = BRS, 2 = ESI), data
 *   (1700000000.123456) can0 123#R                 remote frame (`R` or `R<len>`)
 *   (1700000000.123456) can0 20000080#0000000000000000   error frame (CAN_ERR_FLAG in the id)
 *
 * Data may carry `.` separators and classic frames a `_<dlc>` suffix; a trailing ` T` or ` R`
 * (`candump -x`) is accepted. CAN XL lines are recognised and reported as unsupported. A line of
 * `candump -ta` or `-tA` (screen output with dates) is read as the frame it shows (see `screenLineAsLog`).
 */
export type CandumpLineResult =
  | { ok: true; frame: CanFrame }
  | { ok: false; kind: 'malformed' | 'unsupported'; message: string };

/** Options of {@link parseCandumpLine}. */
export interface CandumpLineOptions {
  /**
   * The zone `candump -tA`'s dates are read in (see `isTimeZone`): they are the recording
   * machine's local time, written without a zone. Default `local`: this process's. Other lines
   * carry seconds since the epoch and need none.
   */
  timeZone?: string;
}

/** Longest line accepted (a CAN FD frame with 64 bytes and a long interface name is under 200). */
export const MAX_CANDUMP_LINE = 512;

const LINE = /^\((\d{1,12})\.(\d{1,9})\)\s+(\S{1,32})\s+(\S+?)(?:\s+[TR])?$/;
const HEX = /^[0-9A-Fa-f]*$/;
const CAN_ERR_FLAG = 0x20000000;

const bad = (message: string): CandumpLineResult => ({ ok: false, kind: 'malformed', message });

function hexBytes(text: string, max: number): Uint8Array | string {
  const digits = text.includes('.') ? text.replaceAll('.', '') : text;
  if (!HEX.test(digits) || digits.length % 2 !== 0) return `data "${text.slice(0, 40)}" is not pairs of hex digits`;
  if (digits.length / 2 > max) return `${digits.length / 2} data bytes, more than ${max}`;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A line of what `candump can0` prints without -L or -l: interface, id, [length], data bytes (and no time, unless -t asked for one first). */
const SCREEN_LINE = /^(?:\([\d.: -]+\)\s+)?\S+\s+(?:[RT]X\s+[B-]\s+[E-]\s+)?[0-9A-Fa-f]{3,8}\s+\[\d{1,2}\]/;

/** Why a line of candump's screen output that `candump -ta` or `-tA` did not write (see `screenLineAsLog`) is not read. */
const SCREEN_MESSAGE =
  "candump's screen output (`can0  123   [8]  01 02 ...`) without a date on each frame (candump -ta and -tA write one; -td and -tz write gaps and times since its start): record with candump -L (or -l), which writes `(seconds.fraction) interface frame`";

/**
 * Parses one log line. Blank lines give `undefined`; anything else that is not a frame gives
 * `{ ok: false }` with the reason, never an exception.
 */
export function parseCandumpLine(line: string, options: CandumpLineOptions = {}): CandumpLineResult | undefined {
  if (line.length > MAX_CANDUMP_LINE) return bad(`line longer than ${MAX_CANDUMP_LINE} characters`);
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  const m = LINE.exec(trimmed);
  if (!m) {
    // `candump -ta` and `-tA` output hold each frame and its date: read as the -L line it stands for.
    const asLog = SCREEN_LINE.test(trimmed) ? screenLineAsLog(trimmed, options.timeZone ?? 'local') : undefined;
    if (typeof asLog === 'string') return bad(asLog);
    if (asLog !== undefined) {
      const read = parseCandumpLine(asLog.line);
      if (read?.ok && !asLog.flagsKnown) {
        delete read.frame.brs;
        delete read.frame.esi;
      }
      return read;
    }
    return bad(SCREEN_LINE.test(trimmed) ? SCREEN_MESSAGE : 'not `(seconds.fraction) interface frame`');
  }
  const [, seconds, fraction, iface, text] = m as unknown as [string, string, string, string, string];
  const timestampMs = decimalSecondsToMs(seconds, fraction);
  const hash = text.indexOf('#');
  if (hash < 0) return bad(`frame "${text.slice(0, 40)}" has no #`);
  const idText = text.slice(0, hash);
  const rest = text.slice(hash + 1);
  if (!HEX.test(idText)) return bad(`id "${idText.slice(0, 20)}" is not hexadecimal`);
  if (idText.length === 5 && rest.includes(':')) return { ok: false, kind: 'unsupported', message: 'CAN XL frames are not supported' };
  const idValue = parseInt(idText, 16);
  let id: number;
  let extended = false;
  let error = false;
  if (idText.length === 3) {
    if (idValue > MAX_STANDARD_ID) return bad(`standard id 0x${idText} is over 0x7FF`);
    id = idValue;
  } else if (idText.length === 8) {
    if (idValue & CAN_ERR_FLAG && idValue <= 0x3fffffff) {
      error = true;
      id = idValue & MAX_EXTENDED_ID;
    } else if (idValue > MAX_EXTENDED_ID) return bad(`extended id 0x${idText} is over 0x1FFFFFFF`);
    else {
      id = idValue;
      extended = true;
    }
  } else return bad(`id "${idText.slice(0, 20)}" has ${idText.length} hex digits; 3 (standard) or 8 (extended) expected`);

  const frame: CanFrame = { id, extended, fd: false, data: new Uint8Array(0), timestampMs, timestampSource: 'log', interface: iface };
  if (error) frame.error = true;
  if (rest.startsWith('#')) {
    const flagValue = parseInt(rest[1] ?? '', 16);
    if (Number.isNaN(flagValue)) return bad('CAN FD frame without its flags digit after ##');
    const data = hexBytes(rest.slice(2), 64);
    if (typeof data === 'string') return bad(data);
    // The kernel pads a CAN FD frame to the next length a DLC gives: candump never prints another.
    if (!CAN_FD_LENGTHS.includes(data.length)) return bad(`${data.length} data bytes: a CAN FD frame has 0-8, ${CAN_FD_LENGTHS.slice(9).join(', ')}`);
    frame.fd = true;
    frame.brs = (flagValue & 1) !== 0;
    frame.esi = (flagValue & 2) !== 0;
    frame.data = data;
    return { ok: true, frame };
  }
  if (rest[0] === 'R' || rest[0] === 'r') {
    if (!/^[Rr][0-8]?(_[0-9A-Fa-f])?$/.test(rest)) return bad(`remote frame "${rest.slice(0, 20)}" is not R or R<length>`);
    frame.rtr = true;
    return { ok: true, frame };
  }
  const underscore = rest.indexOf('_');
  const dataText = underscore < 0 ? rest : rest.slice(0, underscore);
  if (underscore >= 0 && !/^_[0-9A-Fa-f]$/.test(rest.slice(underscore))) return bad(`"${rest.slice(underscore, underscore + 10)}" after the data is not _<dlc>`);
  const data = hexBytes(dataText, 8);
  if (typeof data === 'string') return bad(data);
  frame.data = data;
  return { ok: true, frame };
}

const hex = (data: Uint8Array): string => {
  let out = '';
  for (const b of data) out += (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  return out;
};

/** The `(seconds.micros)` stamp of a time in ms. */
function formatStamp(ms: number): string {
  let seconds = Math.floor(ms / 1000);
  let micros = Math.round((ms - seconds * 1000) * 1000);
  if (micros >= 1_000_000) {
    seconds += 1;
    micros -= 1_000_000;
  }
  return `(${String(seconds).padStart(10, '0')}.${String(micros).padStart(6, '0')})`;
}

/** A frame as a `candump -L` line (without newline), the way can-utils writes it. */
export function formatCandumpLine(frame: CanFrame, iface = frame.interface ?? 'can0'): string {
  const id = frame.error
    ? ((frame.id | CAN_ERR_FLAG) >>> 0).toString(16).toUpperCase().padStart(8, '0')
    : frame.extended
      ? frame.id.toString(16).toUpperCase().padStart(8, '0')
      : frame.id.toString(16).toUpperCase().padStart(3, '0');
  let body: string;
  if (frame.fd) body = `#${((frame.brs ? 1 : 0) | (frame.esi ? 2 : 0)).toString(16)}${hex(frame.data)}`;
  else if (frame.rtr) body = 'R';
  else body = hex(frame.data);
  return `${formatStamp(frame.timestampMs)} ${iface} ${id}#${body}`;
}
