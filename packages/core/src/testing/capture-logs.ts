import { Writable } from 'node:stream';
import { pino, type Level, type Logger } from 'pino';

/** One line a {@link captureLogs} logger wrote: pino's level number (20 debug, 30 info, 40 warn, 50 error), the message and the fields. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** A real pino logger whose lines are kept, parsed, for assertions on what a user would read. */
export interface CapturedLogs {
  logger: Logger;
  /** Every line so far, in order. */
  lines(): LogLine[];
  /** The messages so far, of every line or of those at `level` and above. */
  messages(level?: Level): string[];
}

/** A logger at `level` (default debug) writing into memory, as a bridge's context or a command would log. */
export function captureLogs(level: Level = 'debug'): CapturedLogs {
  const lines: LogLine[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  const logger = pino({ level }, out);
  return {
    logger,
    lines: () => lines,
    messages: (at) => lines.filter((l) => at === undefined || l.level >= logger.levels.values[at]!).map((l) => l.msg),
  };
}
