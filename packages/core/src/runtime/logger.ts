import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `info`. */
  level?: LevelWithSilent;
  /** Logger name, e.g. `bridge-modbus`. */
  name?: string;
  /** Destination file descriptor. Default 2 (stderr): stdout carries only data. */
  fd?: number;
}

/** A pino logger writing JSON lines to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({ name: options.name, level: options.level ?? 'info' }, pino.destination({ fd: options.fd ?? 2, sync: true }));
}
