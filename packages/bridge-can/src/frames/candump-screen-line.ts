/**
 * What `candump -ta can0 > trip.log` writes (can-utils' screen output with absolute times), as
 * the `candump -L` line that holds the same frame, so that such a log is read rather than skipped:
 *
 *   (1700000000.123456)  can0  123   [8]  DE AD BE EF 00 00 00 00        classic, `[length]`
 *   (1700000000.123456)  can0  12345678   [2]  01 02                     extended (8 digits)
 *   (1700000000.123456)  can0  123  [12]  00 11 22 33 44 55 66 77 ...    CAN FD: a 2-digit `[length]`
 *   (1700000000.123456)  can0  123   [8]  remote request
 *   (1700000000.123456)  can0  RX B -  123  [12]  ...                    -x: direction, BRS and ESI
 *
 * A trailing `'....'` (`-a`, the bytes as text) or `ERRORFRAME` (`-e`) is left out: an error
 * frame's id says it is one, as in `-L`. Times before 2001 (`-td` gives the gap to the frame
 * before, `-tz` the time since candump started) give undefined: those lines stay unread, with
 * their reason.
 */
const SCREEN = /^\((\d{1,12})\.(\d{1,9})\)\s+(\S{1,32})\s+(?:[RT]X\s+([B-])\s+([E-])\s+)?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{8})\s+\[(\d{1,2})\]\s+(remote request|[0-9A-Fa-f]{2}(?:\s[0-9A-Fa-f]{2})*)?(?:\s*'.*'|\s*ERRORFRAME.*)?$/;

/** 1 January 2001 in seconds: `-ta` times are dates, `-td` and `-tz` ones are small. */
const FIRST_DATE_S = 978_307_200;

/**
 * The `candump -L` line for a line of `candump -ta` output, or undefined when `line` is not one;
 * `flagsKnown` is false for a CAN FD frame printed without `-x`, whose BRS and ESI are not shown.
 */
export function screenLineAsLog(line: string): { line: string; flagsKnown: boolean } | undefined {
  const m = SCREEN.exec(line);
  if (!m) return undefined;
  const [, seconds, fraction, iface, brs, esi, id, length, body] = m as unknown as [string, string, string, string, string | undefined, string | undefined, string, string, string | undefined];
  if (Number(seconds) < FIRST_DATE_S) return undefined;
  const stamp = `(${seconds}.${fraction}) ${iface} ${id}`;
  if (body === 'remote request') return { line: `${stamp}#R${length.length === 1 && length !== '0' ? length : ''}`, flagsKnown: true };
  const data = (body ?? '').replaceAll(' ', '');
  if (data.length / 2 !== Number(length)) return undefined;
  // candump prints a CAN FD frame's length with two digits ([08]), a classic one's with one.
  if (length.length === 2) return { line: `${stamp}##${(brs === 'B' ? 1 : 0) | (esi === 'E' ? 2 : 0)}${data}`, flagsKnown: brs !== undefined };
  return { line: `${stamp}#${data}`, flagsKnown: true };
}
