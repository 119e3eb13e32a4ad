import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { FieldbridgeError } from '../errors.js';
import { moveAside } from './_sqlite-aside.js';
import { prepareSchema } from './_sqlite-schema.js';
import { makeDirs } from '../shared/make-dirs.js';

/** Name of the spool file inside the buffer directory. */
export const SPOOL_FILE_NAME = 'spool.sqlite';

/** How long a second opener waits for the lock before refusing, in ms. */
const BUSY_TIMEOUT_MS = 100;

/** What opening found. */
type Attempt<T> =
  | { kind: 'open'; db: BetterSqlite3.Database; loaded: T }
  | { kind: 'locked'; cause: unknown }
  | { kind: 'unusable'; reason: string; cause?: unknown; judged?: Stats; db?: BetterSqlite3.Database }
  | { kind: 'fatal'; cause: unknown };

/** An open, locked spool database and what `load` read from it. */
export interface OpenedSpoolDatabase<T> {
  db: BetterSqlite3.Database;
  file: string;
  loaded: T;
}

/** Options of {@link openSpoolDatabase}. */
export interface OpenSpoolDatabaseOptions {
  dir: string;
  durability: 'process' | 'power';
  /** Called only when something must be logged. */
  logger: () => Logger;
}

/**
 * Opens `<dir>/spool.sqlite` holding its lock for the life of the connection.
 *
 * The lock is SQLite's own: `locking_mode=EXCLUSIVE` set before the first access of the WAL
 * database, then `BEGIN EXCLUSIVE; COMMIT`, keeps an exclusive POSIX lock on the file until the
 * connection closes. It blocks other connections in this and other processes (they get
 * SQLITE_BUSY after {@link BUSY_TIMEOUT_MS}), and the kernel drops it when the process dies, so
 * there is never a stale lock. In exclusive mode SQLite keeps the WAL index in heap memory: no
 * `-shm` file.
 *
 * A file that cannot be opened or is not a fieldbridge spool of this schema version is moved
 * aside (with its -wal/-shm) and logged, and a fresh spool is created in its place. `load`
 * runs once the schema is there (e.g. to sum the content); a corruption it meets counts as an
 * unusable file too.
 *
 * @throws FieldbridgeError `SPOOL_LOCKED` when another connection holds the lock;
 *   `SPOOL_UNUSABLE` when the directory or a fresh file cannot be used (disk full, no access).
 */
export function openSpoolDatabase<T>(
  options: OpenSpoolDatabaseOptions,
  load: (db: BetterSqlite3.Database) => T,
): OpenedSpoolDatabase<T> {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  prepareDir(options.dir, options.logger);
  const file = join(options.dir, SPOOL_FILE_NAME);
  for (let attempt = 1; ; attempt++) {
    const result = createFile(file) ?? tryOpen(Database, file, options.durability, load);
    if (result.kind === 'open') {
      for (const suffix of ['-wal', '-shm']) tighten(`${file}${suffix}`, 0o600, options.logger);
      return { db: result.db, file, loaded: result.loaded };
    }
    if (result.kind === 'locked') {
      throw new FieldbridgeError(
        'SPOOL_LOCKED',
        `spool ${file} is in use by another fieldbridge process (it holds the file's lock); stop that process or give this one another buffer path`,
        { cause: result.cause },
      );
    }
    if (result.kind === 'fatal' || attempt >= 3) {
      if (result.kind === 'unusable') closeIfOpen(result.db);
      const cause = result.cause;
      const why = result.kind === 'unusable' ? result.reason : String((cause as Error | undefined)?.message ?? cause);
      throw new FieldbridgeError('SPOOL_UNUSABLE', `cannot open spool ${file}: ${why}; check the disk and the directory's permissions`, { cause });
    }
    // Move aside only the file we judged: a racing opener may have replaced it already. Move
    // it while our connection is still open: closing first would let SQLite delete its -wal.
    try {
      if (sameFile(result.judged, identity(file))) moveAside(file, result.reason, result.cause, options.logger());
    } finally {
      closeIfOpen(result.db);
    }
  }
}

/** Creates the file with mode 0600 whatever the umask, unless it exists. */
function createFile(file: string): Attempt<never> | undefined {
  try {
    closeSync(openSync(file, 'wx', 0o600));
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return { kind: 'fatal', cause: err };
  }
  return undefined;
}

function tryOpen<T>(
  Database: typeof BetterSqlite3,
  file: string,
  durability: 'process' | 'power',
  load: (db: BetterSqlite3.Database) => T,
): Attempt<T> {
  const judged = identity(file);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`SQLite refused WAL mode here (journal_mode is ${String(mode)})`);
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    db.pragma(`synchronous = ${durability === 'power' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    // Checkpoint every 16 MiB of WAL rather than every 4 MiB: a checkpoint syncs the file and
    // blocks the event loop, and a busy spool would pay for it several times a second.
    db.pragma('wal_autocheckpoint = 4000');
    // Rows are written and read in order, once each: a small page cache serves that as well as
    // better-sqlite3's default 16 MiB, which an edge box would rather keep.
    db.pragma('cache_size = -4096');
    const reason = prepareSchema(db);
    if (reason !== undefined) return { kind: 'unusable', reason, judged, db };
    return { kind: 'open', db, loaded: load(db) };
  } catch (err) {
    const attempt = classify(err);
    if (attempt.kind === 'unusable') return { ...attempt, judged, ...(db ? { db } : {}) };
    closeIfOpen(db);
    return attempt;
  }
}

function classify(err: unknown): Attempt<never> {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { kind: 'locked', cause: err };
  const fileProblem = ['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_IOERR', 'SQLITE_FORMAT'];
  if (fileProblem.some((c) => code.startsWith(c))) {
    return { kind: 'unusable', reason: `SQLite cannot use it: ${(err as Error).message} (${code})`, cause: err };
  }
  return { kind: 'fatal', cause: err };
}

function closeIfOpen(db: BetterSqlite3.Database | undefined): void {
  if (db?.open) db.close();
}

function prepareDir(dir: string, logger: () => Logger): void {
  let created: string | undefined;
  try {
    created = makeDirs(dir, 0o700);
    if (created !== undefined) chmodSync(dir, 0o700);
    if (!statSync(dir).isDirectory()) throw new Error('it is not a directory');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const fix = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? '; make it writable by the user this runs as, or choose a directory that user can write' : '';
    throw new FieldbridgeError('SPOOL_UNUSABLE', `cannot use spool directory ${dir}: ${(err as Error).message}${fix}`, { cause: err });
  }
  if (created === undefined && (statSync(dir).mode & 0o077) !== 0) {
    logger().warn({ dir }, `spool directory ${dir} is readable by other users; fieldbridge creates it with mode 0700`);
  }
}

function tighten(path: string, mode: number, logger: () => Logger): void {
  if (!existsSync(path)) return;
  try {
    chmodSync(path, mode);
  } catch (err) {
    logger().warn({ err, path }, `cannot set mode ${mode.toString(8)} on ${path}`);
  }
}

function identity(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FieldbridgeError('SPOOL_UNUSABLE', `cannot look at spool ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.dev === b.dev;
}
