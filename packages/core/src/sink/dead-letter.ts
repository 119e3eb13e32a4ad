import { closeSync, constants, fstatSync, lstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { checkSourceId } from '../point/validate-point.js';
import { excerpt } from '../shared/text.js';
import { recordJson } from './_record-json.js';
import { makeDirs } from '../shared/make-dirs.js';

/** One line of the dead-letter file. */
export interface DeadLetterRecord {
  /** When it was refused, ISO 8601. */
  at: string;
  /** Why, in words: the validation rule or the receiver's answer (at most 1,000 characters). */
  reason: string;
  /** The source the point was sent for: its own `source_id` when valid, else the sink's. */
  source_id: string;
  /**
   * The refused point as it was refused (as written when it broke a rule of the point itself;
   * with the sink's tags when they made too many; as sent when the receiver refused it), or,
   * when its JSON passes 16 KiB, `{ truncated: true, bytes, excerpt }`. What JSON cannot carry
   * (NaN, Infinity, `undefined`, a BigInt, a cycle) is recorded as `{"$type", "$text"}`: its type
   * and the value as text (see `_record-json.ts`).
   */
  point: unknown;
}

/** Where refused points go, with the reason, so nothing disappears silently. */
export interface DeadLetter {
  /** Appends refused points; never throws (a failure to write is logged once). */
  write(points: readonly unknown[], reason: string): void;
  /** Path of the NDJSON file. */
  readonly path: string;
  /** Bytes of records discarded so far: rotated out past the cap, or not writable. */
  discardedBytes(): number;
  /** Points refused so far (written, or counted only when the file could not be written); none on the null device. */
  refusedPoints(): number;
  /** Closes the file. Idempotent. */
  close(): void;
}

/** Where a sink writes its dead-letter file: `deadLetterPath`, else `<buffer.path>/dead-letter.ndjson`, else `./fieldbridge-dead-letter.ndjson`. Rotated to `<path>.1`. */
export function deadLetterPathOf(options: { deadLetterPath?: string | undefined; buffer?: { path?: string | undefined } | undefined }): string {
  return options.deadLetterPath ?? (options.buffer?.path ? join(options.buffer.path, 'dead-letter.ndjson') : 'fieldbridge-dead-letter.ndjson');
}

/** Options of {@link createDeadLetter}. */
export interface DeadLetterOptions {
  /** The sink's source id now (a WebSocket receiver may assign another): a record's `source_id` for a point without one of its own. */
  sourceId: () => string;
  /**
   * Disk the dead-letter files may take, in bytes: the file is rotated to `<path>.1` (replacing
   * the previous one, whose records are then discarded and counted) when it reaches half of it.
   * Default 64 MiB.
   */
  maxBytes?: number;
  /** Monotonic ms, for logging rotations at most once a minute. Default `performance.now`. */
  now?: () => number;
}

/** Rotations are logged at most this often, the next line saying how many there were since. */
const ROTATION_LOG_MS = 60_000;

/** Longest reason kept in a record. */
const REASON_CHARS = 1000;
/** Largest point kept whole in a record; a larger one is kept as an excerpt. */
const POINT_BYTES = 16 * 1024;

/**
 * A dead-letter NDJSON file, created on first use owner-only (0600) and never through a
 * symbolic link (so a link planted in the spool directory cannot make it write elsewhere).
 * Writes are synchronous: refusals are rare, and a record must not be lost to a crash right
 * after. Bounded: reasons and points are cut to excerpts, and the files to `maxBytes` in all.
 * The file may be shared (the sinks of several mapping files, or several processes, on the
 * default path): each write goes to the file the path names then, sized as it is on disk, so a
 * rotation by another writer, or a user removing the file, does not leave records going into
 * `<path>.1` or a deleted file.
 */
export function createDeadLetter(path: string, logger: Logger, options: DeadLetterOptions): DeadLetter {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let fd: number | undefined;
  let size = 0;
  let rotatedBytes = 0;
  let discarded = 0;
  let refused = 0;
  let broken = false;
  const now = options.now ?? (() => performance.now());
  let rotationLoggedAt: number | undefined;
  let rotationsUnlogged = 0;

  const open = (): number => {
    makeDirs(dirname(path), 0o700);
    const handle = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    size = fstatSync(handle).size;
    return handle;
  };
  /** The descriptor of the file `path` names now: the one open, unless another writer rotated it or it was removed. */
  const current = (): number => {
    if (fd !== undefined) {
      const named = lstatSync(path, { throwIfNoEntry: false });
      const held = fstatSync(fd);
      if (named !== undefined && named.ino === held.ino && named.dev === held.dev) {
        size = held.size;
        return fd;
      }
      closeSync(fd);
      fd = undefined;
    }
    fd = open();
    return fd;
  };
  const rotate = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    discarded += rotatedBytes;
    renameSync(path, `${path}.1`);
    rotatedBytes = size;
    // A flood of refusals rotates every few seconds: one line a minute says it, not one each time.
    rotationsUnlogged += 1;
    const t = now();
    if (rotationLoggedAt !== undefined && t - rotationLoggedAt < ROTATION_LOG_MS) return;
    const times = rotationsUnlogged > 1 ? ` (${rotationsUnlogged} rotations since the last line)` : '';
    logger.warn(
      { path, rotatedTo: `${path}.1`, rotations: rotationsUnlogged, discardedBytes: discarded },
      `the dead-letter file reached ${Math.round(maxBytes / 2 / 1024)} KiB; rotated to ${path}.1 (the one before it is discarded)${times}`,
    );
    rotationLoggedAt = t;
    rotationsUnlogged = 0;
  };

  return {
    path,
    write(points, reason) {
      // The null device takes everything: never opened, sized or rotated (renaming it would be a disaster).
      if (points.length === 0 || path === devNull) return;
      refused += points.length;
      if (broken) return;
      const at = new Date().toISOString();
      const why = excerpt(reason, REASON_CHARS);
      const sinkSource = options.sourceId();
      let text = '';
      for (const point of points) text += `${recordLine({ at, reason: why, source_id: sourceOf(point) ?? sinkSource, point })}\n`;
      const bytes = Buffer.byteLength(text);
      try {
        fd = current();
        if (size > 0 && size + bytes > maxBytes / 2) {
          rotate();
          fd = open();
        }
        writeSync(fd, text);
        size += bytes;
      } catch (err) {
        broken = true;
        discarded += bytes;
        const code = (err as NodeJS.ErrnoException).code;
        logger.error(
          { err, path, lost: points.length, reason: why },
          code === 'ELOOP' ? `the dead-letter path ${path} is a symbolic link; refusing to follow it, refused points are only counted from now on` : `cannot write the dead-letter file ${path}; refused points are only counted from now on`,
        );
      }
    },
    discardedBytes: () => discarded,
    refusedPoints: () => refused,
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function recordLine(record: DeadLetterRecord): string {
  const json = recordJson(record.point);
  if (json.length > POINT_BYTES) return JSON.stringify({ ...record, point: { truncated: true, bytes: Buffer.byteLength(json), excerpt: json.slice(0, 1000) } });
  return `{"at":${JSON.stringify(record.at)},"reason":${JSON.stringify(record.reason)},"source_id":${JSON.stringify(record.source_id)},"point":${json}}`;
}

/** The point's own source id, when it has a valid one. */
function sourceOf(point: unknown): string | undefined {
  try {
    const own = typeof point === 'object' && point !== null ? (point as { source_id?: unknown }).source_id : undefined;
    return own !== undefined && checkSourceId(own) === undefined ? (own as string) : undefined;
  } catch {
    // A point whose fields throw when read: recorded under the sink's source.
    return undefined;
  }
}
