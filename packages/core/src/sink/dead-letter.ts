import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** One line of the dead-letter file. */
export interface DeadLetterRecord {
  /** When it was refused, ISO 8601. */
  at: string;
  /** Why, in words: the validation rule or the receiver's answer. */
  reason: string;
  /** The refused point (or the raw value passed to `write()`). */
  point: unknown;
}

/** Where refused points go, with the reason, so nothing disappears silently. */
export interface DeadLetter {
  /** Appends refused points; never throws (a failure to write is logged). */
  write(points: readonly unknown[], reason: string): void;
  /** Path of the NDJSON file. */
  readonly path: string;
  /** Closes the file. Idempotent. */
  close(): void;
}

/**
 * A dead-letter NDJSON file, created on first use with owner-only permissions. Writes are
 * synchronous: refusals are rare, and a record must not be lost to a crash right after.
 */
export function createDeadLetter(path: string, logger: Logger): DeadLetter {
  let fd: number | undefined;
  let broken = false;
  return {
    path,
    write(points, reason) {
      if (broken || points.length === 0) return;
      try {
        if (fd === undefined) {
          mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
          fd = openSync(path, 'a', 0o600);
        }
        const at = new Date().toISOString();
        let text = '';
        for (const point of points) text += `${safeJson({ at, reason, point })}\n`;
        writeSync(fd, text);
      } catch (err) {
        broken = true;
        logger.error({ err, path, lost: points.length, reason }, 'cannot write the dead-letter file; refused points are only logged from now on');
        logger.error({ points, reason }, 'refused points');
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function safeJson(record: DeadLetterRecord): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({ ...record, point: String(record.point) });
  }
}
