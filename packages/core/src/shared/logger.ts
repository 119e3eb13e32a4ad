import { pino, type Logger, type LevelWithSilent } from 'pino';
import { LOG_SERIALIZERS } from './log-error.js';
import { prettyStream } from './_pretty.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `info`. */
  level?: LevelWithSilent;
  /** Logger name, e.g. `bridge-modbus`. */
  name?: string;
  /** Readable lines instead of JSON. Default: when stderr is a terminal. */
  pretty?: boolean;
  /** Where the lines go instead of the process's stderr (a command run with streams of its own). */
  stderr?: NodeJS.WritableStream;
}

/**
 * A pino logger on stderr (stdout carries only data): JSON lines, or short readable lines when
 * stderr is a terminal. `{ err }` is logged by `serializeError`: an expected, coded error by its
 * code and message, anything else with its stack.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = { name: options.name, level: options.level ?? 'info', serializers: LOG_SERIALIZERS };
  const out = options.stderr;
  if (out !== undefined && out !== process.stderr) return pino(base, options.pretty ? prettyStream(out as NodeJS.WriteStream) : out);
  if (options.pretty ?? process.stderr.isTTY) return pino(base, prettyStream(process.stderr));
  return pino(base, pino.destination({ fd: 2, sync: true }));
}
