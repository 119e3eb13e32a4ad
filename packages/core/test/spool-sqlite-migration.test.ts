import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { createSink, createSqliteSpool } from '../src/index.js';
import { batchPoints } from '../src/shared/batch-codec.js';
import { testBatch } from './spool-test-kit.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A spool file exactly as fieldbridge 0.1 wrote it (schema version 1), with two batches in it. */
function writeVersion1Spool(dir: string): void {
  const db = new Database(join(dir, 'spool.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE batches (
      seq INTEGER NOT NULL, sub BLOB NOT NULL, id TEXT NOT NULL UNIQUE, created_at_ms REAL NOT NULL,
      points INTEGER NOT NULL, bytes INTEGER NOT NULL, payload TEXT NOT NULL, UNIQUE (seq, sub));
    CREATE INDEX batches_created_at ON batches (created_at_ms);`);
  const insert = db.prepare('INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?)');
  insert.run(1, Buffer.alloc(0), 'old-1', 1_700_000_000_000, 1, 60, '[{"metric":"a","value":1,"timestamp":1700000000000}]');
  insert.run(2, Buffer.alloc(0), 'old-2', 1_700_000_001_000, 1, 60, '[{"metric":"b","value":2,"timestamp":1700000001000}]');
  db.pragma('application_id = 1178760048');
  db.pragma('user_version = 1');
  db.close();
}

describe('SQLite spool: files of an earlier format', () => {
  it('opens a version 1 spool, keeps its batches in order, and stores new ones beside them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-migrate-'));
    dirs.push(dir);
    writeVersion1Spool(dir);
    const spool = createSqliteSpool({ dir, limits: { maxBytes: 1e6, whenFull: 'drop_oldest' } });
    expect(spool.stats()).toMatchObject({ batches: 2, points: 2, bytes: 120 });
    spool.append({ ...testBatch('new-1', [{ metric: 'c', value: 3 }], { createdAtMs: 1_700_000_002_000 }), unsynced: { run: 'r', indices: [0] } });
    const leased = spool.lease(3);
    expect(leased.map((b) => b.id)).toEqual(['old-1', 'old-2', 'new-1']);
    expect(leased.map((b) => b.encoding)).toEqual(['json-points', 'json-points', 'json-body']);
    expect(batchPoints(leased[0]!)).toEqual([{ metric: 'a', value: 1, timestamp: 1_700_000_000_000 }]);
    expect(batchPoints(leased[2]!)).toEqual([{ metric: 'c', value: 3 }]);
    expect(leased[0]?.unsynced).toBeUndefined();
    expect(leased[2]?.unsynced).toEqual({ run: 'r', indices: [0] });
    spool.close();
    const raw = new Database(join(dir, 'spool.sqlite'), { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(3);
    raw.close();
  });

  it('a sink over a version 1 spool delivers the old backlog, then its own batches, to the receiver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-migrate-'));
    dirs.push(dir);
    writeVersion1Spool(dir);
    const gateway = await createGateway({ apiKeys: ['k'] });
    const sink = createSink({ url: gateway.url, apiKey: 'k', sourceId: 'migrated', buffer: { path: dir }, logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' });
    try {
      sink.send('c', 3, { timestamp: 1_700_000_002_000 });
      await sink.flush();
      expect(gateway.points().map((p) => [p.metric, p.value, p.source_id])).toEqual([
        ['a', 1, 'migrated'],
        ['b', 2, 'migrated'],
        ['c', 3, 'migrated'],
      ]);
    } finally {
      await sink.close();
      await gateway.close();
    }
  });
});
