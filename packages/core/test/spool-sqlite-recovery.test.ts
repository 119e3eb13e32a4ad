import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isFieldbridgeError } from '../src/errors.js';
import { createSqliteSpool } from '../src/spool/index.js';
import type { Spool } from '../src/spool/index.js';
import { captureLogger, pointsBatch, tempDirs } from './spool-test-kit.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

// A spool file that cannot be used is moved aside, logged loudly, and replaced by an empty spool.
describe('sqlite spool with an unusable file', () => {
  const dirs = tempDirs();
  const open: Spool[] = [];
  const limits = { maxBytes: 1e9, whenFull: 'drop_oldest' as const };
  afterEach(() => {
    for (const spool of open.splice(0)) spool.close();
    dirs.cleanup();
  });

  /** Opens a spool on `dir`, expects one file moved aside, and returns the new path and the spool. */
  const openExpectingMoveAside = (dir: string, reason: RegExp): { aside: string; spool: Spool } => {
    const { logger, records } = captureLogger();
    const spool = createSqliteSpool({ dir, limits, logger });
    open.push(spool);
    const errors = records.filter((r) => r.level === 50);
    expect(errors).toHaveLength(1);
    const record = errors[0]!;
    expect(record.reason).toMatch(reason);
    expect(record.path).toBe(join(dir, 'spool.sqlite'));
    const aside = String(record.movedTo);
    expect(aside).toMatch(/spool\.sqlite\.unusable-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(record.msg).toContain(aside);
    // An expected failure, logged without a stack (docs/operating.md).
    expect(JSON.stringify(record)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(record.cause).toMatchObject({ message: expect.any(String) });
    expect(existsSync(aside)).toBe(true);
    expect(spool.stats().batches).toBe(0);
    spool.append(pointsBatch('fresh', 2));
    expect(spool.lease(5).map((b) => b.id)).toEqual(['fresh']);
    return { aside, spool };
  };

  const withOldSpool = (dir: string): void => {
    const old = createSqliteSpool({ dir, limits });
    old.append(pointsBatch('old', 5));
    old.close();
  };

  it('moves aside a file of garbage, with its stale WAL', () => {
    const dir = dirs.make();
    const garbage = Buffer.alloc(16_384, 0x5a);
    writeFileSync(join(dir, 'spool.sqlite'), garbage);
    writeFileSync(join(dir, 'spool.sqlite-wal'), Buffer.alloc(4096, 0x33));
    const { aside } = openExpectingMoveAside(dir, /SQLITE_NOTADB/);
    expect(readFileSync(aside).equals(garbage)).toBe(true);
    expect(readFileSync(`${aside}-wal`)).toHaveLength(4096);
  });

  it('moves aside a spool of another schema version, keeping its batches in the moved file', () => {
    const dir = dirs.make();
    withOldSpool(dir);
    const raw = new Database(join(dir, 'spool.sqlite'));
    raw.pragma('user_version = 99');
    raw.close();
    const { aside } = openExpectingMoveAside(dir, /schema version is 99/);
    const moved = new Database(aside, { readonly: true });
    expect(moved.prepare('SELECT id FROM batches').pluck().all()).toEqual(['old']);
    moved.close();
  });

  it("moves aside another program's SQLite database", () => {
    const dir = dirs.make();
    const raw = new Database(join(dir, 'spool.sqlite'));
    raw.exec('CREATE TABLE notes (body TEXT)');
    raw.close();
    openExpectingMoveAside(dir, /some other program/);
  });

  it('moves aside a directory sitting where the file should be', () => {
    const dir = dirs.make();
    mkdirSync(join(dir, 'spool.sqlite'));
    openExpectingMoveAside(dir, /SQLITE_CANTOPEN/);
  });

  it.skipIf(process.getuid?.() === 0)('moves aside a file it is not allowed to read', () => {
    const dir = dirs.make();
    withOldSpool(dir);
    chmodSync(join(dir, 'spool.sqlite'), 0o000);
    openExpectingMoveAside(dir, /SQLITE_/);
  });

  it('keeps the moved file out of the way of the next start', () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'spool.sqlite'), 'not a database at all, just text that is long enough to matter');
    const { spool } = openExpectingMoveAside(dir, /SQLITE_NOTADB/);
    spool.close();
    const { logger, records } = captureLogger();
    const again = createSqliteSpool({ dir, limits, logger });
    open.push(again);
    expect(records.filter((r) => (r.level as number) >= 40)).toEqual([]);
    expect(again.lease(5).map((b) => b.id)).toEqual(['fresh']);
    expect(readdirSync(dir).filter((f) => f.includes('unusable'))).toHaveLength(1);
  });

  it('throws SPOOL_UNUSABLE, without moving anything, when the path is a file instead of a directory', () => {
    const parent = dirs.make();
    const path = join(parent, 'buffer');
    writeFileSync(path, 'x');
    let caught: unknown;
    try {
      createSqliteSpool({ dir: path, limits });
    } catch (err) {
      caught = err;
    }
    expect(isFieldbridgeError(caught, 'SPOOL_UNUSABLE')).toBe(true);
    expect((caught as Error).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('x');
  });
});
