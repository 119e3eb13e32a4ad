import type BetterSqlite3 from 'better-sqlite3';

/** One row of the `batches` table (see `_sqlite-schema.ts`). */
export interface BatchRow {
  seq: number;
  sub: Buffer;
  id: string;
  created_at_ms: number;
  points: number;
  bytes: number;
  /** The batch's data, in `encoding`. */
  payload: Buffer | string;
  /** JSON of `Batch.unsynced`, or null. */
  unsynced: string | null;
  encoding: string;
  /** `Batch.rawBytes`, or null (rows of an earlier version). */
  raw_bytes: number | null;
}

/** What deleting a batch needs to know of it (no payload: a delete never reads it back). */
export interface BatchMeta {
  id: string;
  created_at_ms: number;
  points: number;
  bytes: number;
}

/** Running totals, read once at open and then kept in memory. */
export interface SpoolTotals {
  batches: number;
  points: number;
  bytes: number;
  /** Smallest `created_at_ms` held. */
  oldest: number | undefined;
  /** Highest `seq` used; the next append takes the one after. */
  lastSeq: number;
}

const ORDER = 'ORDER BY seq, sub';
const ALL = 'seq, sub, id, created_at_ms, points, bytes, payload, unsynced, encoding, raw_bytes';
const META = 'id, created_at_ms, points, bytes';

/** The prepared statements of the disk spool. */
export interface SpoolStatements {
  insert: BetterSqlite3.Statement;
  /** `insert`, doing nothing when the id is already held (its `changes` is then 0). */
  insertNew: BetterSqlite3.Statement;
  has: BetterSqlite3.Statement;
  byId: BetterSqlite3.Statement;
  /** Deletes one batch and answers what it held (no payload), in one statement. */
  takeById: BetterSqlite3.Statement;
  replaceKey: BetterSqlite3.Statement;
  metaById: BetterSqlite3.Statement;
  deleteById: BetterSqlite3.Statement;
  orderedIds: BetterSqlite3.Statement;
  orderedSizes: BetterSqlite3.Statement;
  olderThan: BetterSqlite3.Statement;
  oldest: BetterSqlite3.Statement;
  /** Ids and keys in order, from a key on (`seq`, `sub`) or from the start. */
  keysFrom: BetterSqlite3.Statement;
  keys: BetterSqlite3.Statement;
  /** The `created_at_ms` of the first batch from a key on. */
  createdAtFrom: BetterSqlite3.Statement;
}

/** Prepares every statement the disk spool runs, and sums the content. */
export function prepareStatements(db: BetterSqlite3.Database): { statements: SpoolStatements; totals: SpoolTotals } {
  const statements: SpoolStatements = {
    insert: db.prepare(`INSERT INTO batches (${ALL}) VALUES (@seq, @sub, @id, @created_at_ms, @points, @bytes, @payload, @unsynced, @encoding, @raw_bytes)`),
    insertNew: db.prepare(`INSERT INTO batches (${ALL}) VALUES (@seq, @sub, @id, @created_at_ms, @points, @bytes, @payload, @unsynced, @encoding, @raw_bytes) ON CONFLICT (id) DO NOTHING`),
    has: db.prepare('SELECT 1 FROM batches WHERE id = ?').pluck(),
    byId: db.prepare(`SELECT ${ALL} FROM batches WHERE id = ?`),
    replaceKey: db.prepare('SELECT seq, sub, points, bytes, created_at_ms FROM batches WHERE id = ?'),
    metaById: db.prepare(`SELECT ${META} FROM batches WHERE id = ?`),
    deleteById: db.prepare('DELETE FROM batches WHERE id = ?'),
    takeById: db.prepare(`DELETE FROM batches WHERE id = ? RETURNING ${META}`),
    orderedIds: db.prepare(`SELECT id FROM batches ${ORDER}`),
    orderedSizes: db.prepare(`SELECT id, bytes FROM batches ${ORDER}`),
    // Without INDEXED BY, SQLite walks the order index over the whole table to filter by age.
    olderThan: db.prepare(`SELECT id FROM batches INDEXED BY batches_created_at WHERE created_at_ms < ? ${ORDER}`),
    oldest: db.prepare('SELECT min(created_at_ms) AS m FROM batches'),
    keysFrom: db.prepare(`SELECT id, seq, sub FROM batches WHERE (seq, sub) >= (?, ?) ${ORDER}`),
    keys: db.prepare(`SELECT id, seq, sub FROM batches ${ORDER}`),
    createdAtFrom: db.prepare(`SELECT created_at_ms AS m FROM batches WHERE (seq, sub) >= (?, ?) ${ORDER} LIMIT 1`),
  };
  const sums = db
    .prepare(
      'SELECT count(*) AS batches, coalesce(sum(points), 0) AS points, coalesce(sum(bytes), 0) AS bytes, ' +
        'min(created_at_ms) AS oldest, coalesce(max(seq), 0) AS lastSeq FROM batches',
    )
    .get() as { batches: number; points: number; bytes: number; oldest: number | null; lastSeq: number };
  const totals: SpoolTotals = { ...sums, oldest: sums.oldest ?? undefined };
  return { statements, totals };
}
