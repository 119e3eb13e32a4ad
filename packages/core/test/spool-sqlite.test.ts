import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isFieldbridgeError } from '../src/errors.js';
import { createSqliteSpool } from '../src/spool/index.js';
import type { Spool, SpoolLimits } from '../src/spool/index.js';
import { describeSpoolConformance } from '../src/testing/index.js';
import { pointsBatch, tempDirs } from './spool-test-kit.js';

const conformanceDirs = tempDirs();
afterAll(() => conformanceDirs.cleanup());

describeSpoolConformance('sqlite', (limits) => {
  const dir = join(conformanceDirs.make(), 'buffer');
  return { spool: createSqliteSpool({ dir, limits }), reopen: () => createSqliteSpool({ dir, limits }) };
});

describe('sqlite spool', () => {
  const dirs = tempDirs();
  const open: Spool[] = [];
  const limits: SpoolLimits = { maxBytes: 1e9, whenFull: 'drop_oldest' };
  const spoolAt = (dir: string, more: Partial<Parameters<typeof createSqliteSpool>[0]> = {}): Spool => {
    const spool = createSqliteSpool({ dir, limits, ...more });
    open.push(spool);
    return spool;
  };
  afterEach(() => {
    for (const spool of open.splice(0)) spool.close();
    dirs.cleanup();
  });

  it('is kind disk and keeps its content in <dir>/spool.sqlite across close and reopen', () => {
    const dir = join(dirs.make(), 'buffer');
    const first = spoolAt(dir);
    expect(first.kind).toBe('disk');
    first.append(pointsBatch('a', 3));
    first.append(pointsBatch('b', 4, 1_700_000_000_500));
    first.close();
    expect(existsSync(join(dir, 'spool.sqlite'))).toBe(true);
    const second = spoolAt(dir, { durability: 'power' });
    expect(second.stats()).toEqual({ batches: 2, points: 7, bytes: pointsBatch('a', 3).bytes + pointsBatch('b', 4, 1_700_000_000_500).bytes, oldestCreatedAtMs: 1_700_000_000_000 });
    expect(second.lease(5)).toEqual([pointsBatch('a', 3), pointsBatch('b', 4, 1_700_000_000_500)]);
  });

  it('checkpoints the WAL on close, leaving no WAL content behind', () => {
    const dir = dirs.make();
    const spool = spoolAt(dir);
    for (let i = 0; i < 50; i++) spool.append(pointsBatch(`w${i}`, 100));
    spool.close();
    const wal = join(dir, 'spool.sqlite-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  });

  it('creates the directory 0700 and its files 0600 whatever the umask', () => {
    const dir = join(dirs.make(), 'nested', 'buffer');
    const previous = process.umask(0);
    try {
      const spool = spoolAt(dir);
      spool.append(pointsBatch('a', 10));
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const name of ['spool.sqlite', 'spool.sqlite-wal', 'spool.sqlite-shm']) {
        const file = join(dir, name);
        if (name === 'spool.sqlite' || existsSync(file)) expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
      }
    } finally {
      process.umask(previous);
    }
  });

  it('refuses a second spool on the same directory in the same process, naming the path', () => {
    const dir = dirs.make();
    spoolAt(dir).append(pointsBatch('a', 1));
    let caught: unknown;
    try {
      spoolAt(dir);
    } catch (err) {
      caught = err;
    }
    expect(isFieldbridgeError(caught, 'SPOOL_LOCKED')).toBe(true);
    expect((caught as Error).message).toContain(join(dir, 'spool.sqlite'));
    expect((caught as Error).message).toMatch(/another fieldbridge process/);
  });

  it('moves a backlog of 100,000 points (100 batches of 1,000) through, surviving a reopen on the way', () => {
    const dir = dirs.make();
    const first = spoolAt(dir);
    const batches = Array.from({ length: 100 }, (_, i) => pointsBatch(`bulk-${i}`, 1000, 1_700_000_000_000 + i));
    for (const b of batches) expect(first.append(b)).toEqual({ accepted: true, dropped: [] });
    expect(first.stats()).toMatchObject({ batches: 100, points: 100_000 });
    first.close();
    const second = spoolAt(dir);
    expect(second.stats()).toMatchObject({ batches: 100, points: 100_000, oldestCreatedAtMs: 1_700_000_000_000 });
    let next = 0;
    for (;;) {
      const leased = second.lease(7);
      if (leased.length === 0) break;
      for (const b of leased) {
        expect(b).toEqual(batches[next]);
        next += 1;
        second.ack(b.id);
      }
    }
    expect(next).toBe(100);
    expect(second.stats()).toStrictEqual({ batches: 0, points: 0, bytes: 0 });
    second.close();
    expect(spoolAt(dir).stats().batches).toBe(0);
  });
});
