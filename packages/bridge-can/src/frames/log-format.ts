import { createAscReader } from './asc-line.js';
import { parseCandumpLine, type CandumpLineResult } from './candump-line.js';
import { isLocalDateLine } from './candump-screen-line.js';
import { createTrcReader } from './trc-line.js';

/** The text log formats. */
export type TextLogFormat = 'candump' | 'asc' | 'trc';

/** The log formats a `file:` interface reads: candump -L, Vector ASC and PEAK TRC (text), Vector BLF and ASAM MDF 4 (binary). */
export type LogFormat = TextLogFormat | 'blf' | 'mf4';

/** Each format's name, as messages give it. */
export const LOG_FORMAT_NAMES: Readonly<Record<LogFormat, string>> = { candump: 'candump', asc: 'Vector ASC', blf: 'Vector BLF', trc: 'PEAK TRC', mf4: 'ASAM MDF4' };

/** What a format's records are called in messages: BLF objects, MDF records, text lines. */
export function recordUnit(format: LogFormat | undefined): string {
  return format === 'blf' ? 'object' : format === 'mf4' ? 'record' : 'line';
}

/** The formats whose start is a wall-clock time without a zone (`replay.time_zone` says which). */
export const WALL_CLOCK_FORMATS: ReadonlySet<LogFormat> = new Set(['asc', 'blf', 'trc']);

/** Longest line read from a log (a Vector ASC CAN FD line with 64 bytes and its timing fields is under 400). */
export const MAX_LOG_LINE = 1024;

/** What a Vector ASC log starts with: a header line, a comment, or an event's time. */
const ASC_START = /^(date\s|base\s+(hex|dec)|\/\/|begin\s+triggerblock|(no\s+)?internal\s+events|\d+\.\d+\s)/i;

/**
 * The format a log's first non-blank line shows: `;` opens a PEAK TRC header, a Vector ASC log
 * starts with its header or an event, and anything else is read as `candump -L` (`(` opens its lines).
 */
export function sniffLogFormat(firstLine: string): TextLogFormat {
  const trimmed = firstLine.trim();
  if (trimmed.startsWith(';')) return 'trc';
  return ASC_START.test(trimmed) ? 'asc' : 'candump';
}

/** Options of {@link createLogLineParser}. */
export interface LogLineParserOptions {
  /** Default `auto`: told by the first non-blank line. */
  format?: TextLogFormat | 'auto';
  /** Vector ASC and PEAK TRC: the zone of the log's start; `candump -tA`: of its dates. Default `local`. */
  timeZone?: string;
  /** Vector ASC and PEAK TRC: refuse events before the log names its start (their times count from 0). */
  requireDate?: boolean;
  /** Called once, at the first frame of a candump log stamped with a local date (`candump -tA`), read in `timeZone`. */
  onWallClock?(): void;
}

/** A line parser for one log, in order; `format()` says which format it settled on (undefined before the first line). */
export interface LogLineParser {
  parse(line: string): CandumpLineResult | undefined;
  format(): TextLogFormat | undefined;
}

/** Creates the parser for one log's lines, read in order from the first. */
export function createLogLineParser(options: LogLineParserOptions = {}): LogLineParser {
  let format: TextLogFormat | undefined = options.format === 'auto' ? undefined : options.format;
  let parse: ((line: string) => CandumpLineResult | undefined) | undefined;
  const settle = (chosen: TextLogFormat): void => {
    format = chosen;
    if (chosen === 'candump') {
      const lineOptions = options.timeZone === undefined ? {} : { timeZone: options.timeZone };
      let wallClock = options.onWallClock === undefined;
      parse = (line) => {
        const read = parseCandumpLine(line, lineOptions);
        if (!wallClock && read?.ok && isLocalDateLine(line)) {
          wallClock = true;
          options.onWallClock!();
        }
        return read;
      };
      return;
    }
    const readerOptions = { ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }), requireDate: options.requireDate ?? false };
    const reader = chosen === 'asc' ? createAscReader(readerOptions) : createTrcReader(readerOptions);
    parse = (line) => reader.parse(line);
  };
  if (format) settle(format);
  return {
    parse(line) {
      if (!parse) {
        if (line.trim() === '') return undefined;
        settle(sniffLogFormat(line));
      }
      return parse!(line);
    },
    format: () => format,
  };
}
