import { wallTimeToEpochMs } from '@fieldbridge/core/bridge';

/**
 * What `candump -ta can0 > trip.log` and `candump -tA can0 > trip.log` write (can-utils' screen
 * output with absolute times), as the `candump -L` line that holds the same frame, so that such a
 * log is read rather than skipped:
 *
 *   (1700000000.123456)  can0  123   [8]  DE AD BE EF 00 00 00 00        -ta: seconds since the epoch
 *   (2026-12-05 03:08:27.376997)  can0  123   [8]  DE AD BE EF ...      -tA: the recording machine's local date
 *   (1700000000.123456)  can0  12345678   [2]  01 02                     extended (8 digits)
 *   (1700000000.123456)  can0  123  [12]  00 11 22 33 44 55 66 77 ...    CAN FD: a 2-digit `[length]`
 *   (1700000000.123456)  can0  123   [8]  remote request
 *   (1700000000.123456)  can0  RX B -  123  [12]  ...                    -x: direction, BRS and ESI
 *
 * A frame without data ends at its `[0]`. A trailing `'....'` (`-a`, the bytes as text) or `ERRORFRAME` (`-e`) is left out: an error
 * frame's id says it is one, as in `-L`. A -tA date names no zone (candump prints `localtime()`
 * of the machine it ran on): it is read in the zone the caller gives. -ta times before 2001
 * (`-td` gives the gap to the frame before, `-tz` the time since candump started, in the same
 * shape) give undefined: those lines stay unread, with their reason.
 */
const SCREEN =
  /^\((?:(\d{1,12})\.(\d{1,9})|(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,9}))\)\s+(\S{1,32})\s+(?:[RT]X\s+([B-])\s+([E-])\s+)?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{8})\s+\[(\d{1,2})\](?:\s+(remote request|[0-9A-Fa-f]{2}(?:\s[0-9A-Fa-f]{2})*))?(?:\s*'.*'|\s*ERRORFRAME.*)?$/;

/** True for a line stamped as `candump -tA` stamps them, with a date without a zone. */
export const isLocalDateLine = (line: string): boolean => /^\s*\(\d{4}-/.test(line);

/** 1 January 2001 in seconds: `-ta` times are dates, `-td` and `-tz` ones are small. */
const FIRST_DATE_S = 978_307_200;

/** A line of candump's screen output as the `-L` line of its frame (see `screenLineAsLog`). */
export interface ScreenLineAsLog {
  line: string;
  /** False for a CAN FD frame printed without `-x`, whose BRS and ESI are not shown. */
  flagsKnown: boolean;
}

/** Seconds since the epoch of a -tA date (whole seconds) in `timeZone`, or why it is not a date. */
function dateSeconds(fields: string[], timeZone: string): number | string {
  const [year, month, day, hour, minute, second] = fields.map(Number) as [number, number, number, number, number, number];
  // Date.UTC rolls 30 February over into March: a day the month has not is caught by reading it back.
  const check = new Date(Date.UTC(year, month - 1, day));
  const text = `${fields.slice(0, 3).join('-')} ${fields.slice(3).join(':')}`;
  if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
    return `date ${text} is not a date (candump -tA writes year-month-day hours:minutes:seconds)`;
  }
  const epochMs = wallTimeToEpochMs({ year, month, day, hour, minute, second, millisecond: 0 }, timeZone);
  if (!(epochMs >= 0)) return `date ${text} in ${timeZone} is before 1970, which a candump log cannot hold`;
  return epochMs / 1000;
}

/**
 * The `candump -L` line for a line of `candump -ta` or `-tA` output (its date read in `timeZone`,
 * see `isTimeZone`), undefined when `line` is not one, or why it cannot be read (a date that is
 * not one, a length its bytes do not fill).
 */
export function screenLineAsLog(line: string, timeZone: string): ScreenLineAsLog | string | undefined {
  const m = SCREEN.exec(line);
  if (!m) return undefined;
  const [, epochSeconds, epochFraction, ...rest] = m as unknown as [string, string | undefined, string | undefined, ...(string | undefined)[]];
  const [dateFraction, iface, brs, esi, id, length, body] = rest.slice(6) as [string | undefined, string, string | undefined, string | undefined, string, string, string | undefined];
  let seconds: string;
  let fraction: string;
  if (epochSeconds !== undefined && epochFraction !== undefined) {
    if (Number(epochSeconds) < FIRST_DATE_S) return undefined;
    [seconds, fraction] = [epochSeconds, epochFraction];
  } else {
    const date = dateSeconds(rest.slice(0, 6) as string[], timeZone);
    if (typeof date === 'string') return date;
    [seconds, fraction] = [String(date), dateFraction!];
  }
  const stamp = `(${seconds}.${fraction}) ${iface} ${id}`;
  if (body === 'remote request') return { line: `${stamp}#R${length.length === 1 && length !== '0' ? length : ''}`, flagsKnown: true };
  const data = (body ?? '').replaceAll(' ', '');
  if (data.length / 2 !== Number(length)) return `[${length}] announces ${Number(length)} data bytes, ${data.length / 2} given`;
  // candump prints a CAN FD frame's length with two digits ([08]), a classic one's with one.
  if (length.length === 2) return { line: `${stamp}##${(brs === 'B' ? 1 : 0) | (esi === 'E' ? 2 : 0)}${data}`, flagsKnown: brs !== undefined };
  return { line: `${stamp}#${data}`, flagsKnown: true };
}
