import { createAscReader } from './asc-line.js';
import { parseCandumpLine, type CandumpLineResult } from './candump-line.js';

/** The text log formats. */
export type TextLogFormat = 'candump' | 'asc';

/** The log formats a `file:` interface reads: candump -L and Vector ASC (text), Vector BLF (binary). */
export type LogFormat = TextLogFormat | 'blf';

/** Longest line read from a log (a Vector ASC CAN FD line with 64 bytes and its timing fields is under 400). */
export const MAX_LOG_LINE = 1024;

/** What a Vector ASC log starts with: a header line, a comment, or an event's time. */
const ASC_START = /^(date\s|base\s+(hex|dec)|\/\/|begin\s+triggerblock|(no\s+)?internal\s+events|\d+\.\d+\s)/i;

/** The format a log's first non-blank line shows: `(` opens a candump -L line; a Vector ASC header or event otherwise. */
export function sniffLogFormat(firstLine: string): TextLogFormat {
  return ASC_START.test(firstLine.trim()) ? 'asc' : 'candump';
}

/** Options of {@link createLogLineParser}. */
export interface LogLineParserOptions {
  /** Default `auto`: told by the first non-blank line. */
  format?: TextLogFormat | 'auto';
  /** Vector ASC: the zone of the log's dates. Default `local`. */
  timeZone?: string;
  /** Vector ASC: refuse events before a date line (their times count from 0). */
  requireDate?: boolean;
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
    if (chosen === 'candump') parse = parseCandumpLine;
    else {
      const reader = createAscReader({ ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }), requireDate: options.requireDate ?? false });
      parse = (line) => reader.parse(line);
    }
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
