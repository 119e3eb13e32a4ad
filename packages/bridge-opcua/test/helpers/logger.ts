import { captureLogs, type LogLine as KitLogLine } from '@fieldbridge/core/testing';
import type { Level, Logger } from 'pino';
import type { OpcuaLogger } from '../../src/log-redirect.js';

/** One line a {@link CapturingLogger} received. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  obj: object;
}

/** A logger that keeps what it is told, for assertions on what a user would read. */
export interface CapturingLogger extends OpcuaLogger {
  lines: LogLine[];
  /** The messages at `level` (all levels without). */
  messages(level?: LogLine['level']): string[];
  /** Resolves with the first line (already received or still to come) whose message matches. */
  waitFor(pattern: RegExp): Promise<LogLine>;
}

/** A fresh {@link CapturingLogger}. */
export function capturingLogger(): CapturingLogger {
  const lines: LogLine[] = [];
  const waiters: { pattern: RegExp; resolve: (line: LogLine) => void }[] = [];
  const add = (level: LogLine['level']) => (obj: object, msg?: string) => {
    const line = { level, msg: msg ?? '', obj };
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.pattern.test(line.msg)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  return {
    lines,
    debug: add('debug'),
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
    messages: (level) => lines.filter((l) => level === undefined || l.level === level).map((l) => l.msg),
    waitFor(pattern) {
      const found = lines.find((l) => pattern.test(l.msg));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

/** A line a {@link pinoCapture} logger wrote: pino's level number (20 debug, 30 info, 40 warn), the message and the fields. */
export type PinoLine = KitLogLine;

/** A pino logger (what a bridge's context carries) that keeps every line it writes, parsed: the kit's, its lines as a live array. */
export function pinoCapture(level: Level = 'debug'): { logger: Logger; lines: PinoLine[] } {
  const captured = captureLogs(level);
  return { logger: captured.logger, lines: captured.lines() };
}
