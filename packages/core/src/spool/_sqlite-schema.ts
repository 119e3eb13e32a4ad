import type BetterSqlite3 from 'better-sqlite3';

/** `PRAGMA application_id` of a fieldbridge spool file ("FBsp"). */
export const SPOOL_APPLICATION_ID = 0x46427370;

/** `PRAGMA user_version` of the schema this code reads and writes. */
export const SPOOL_SCHEMA_VERSION = 3;

/**
 * Order is the pair (seq, sub), compared as (integer, blob): `seq` counts appends, `sub` is
 * empty for an appended batch and, for a part cut by `replace()`, its parent's `sub` followed
 * by the part's index as 4 big-endian bytes. Blobs compare bytewise with a prefix first, so
 * parts sort where their parent was, in their own order, however often they are cut again.
 * `payload` holds the batch's data in its `encoding` (`Batch.encoding`): the gzip-compressed
 * HTTP body as a BLOB (what this version writes), or the JSON text of the points array (rows an
 * earlier version wrote, still read and sent); `unsynced` the JSON of the batch's provisional
 * timestamps (`Batch.unsynced`), NULL when it has none.
 */
const SCHEMA = `
CREATE TABLE batches (
  seq INTEGER NOT NULL,
  sub BLOB NOT NULL,
  id TEXT NOT NULL UNIQUE,
  created_at_ms REAL NOT NULL,
  points INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  payload TEXT NOT NULL,
  unsynced TEXT,
  encoding TEXT NOT NULL DEFAULT 'json-points',
  raw_bytes INTEGER,
  UNIQUE (seq, sub)
);
CREATE INDEX batches_created_at ON batches (created_at_ms);
`;

const COLUMNS = ['seq', 'sub', 'id', 'created_at_ms', 'points', 'bytes', 'payload', 'unsynced', 'encoding', 'raw_bytes'];

/**
 * Steps from each older schema version to the next, run in one transaction at open, so a spool
 * written by an earlier fieldbridge keeps its content.
 */
const MIGRATIONS: Record<number, string> = {
  // 1 -> 2: provisional timestamps (stamped before the clock had a server sample).
  1: 'ALTER TABLE batches ADD COLUMN unsynced TEXT;',
  // 2 -> 3: batches stored as they go on the wire (gzip-compressed bodies); older rows keep
  // their JSON points and are sent as before.
  2: "ALTER TABLE batches ADD COLUMN encoding TEXT NOT NULL DEFAULT 'json-points'; ALTER TABLE batches ADD COLUMN raw_bytes INTEGER;",
};

/**
 * Creates the schema in an empty database, or checks an existing one. Returns the reason the
 * file is not a usable spool, or `undefined` when it is (now) one. Runs under the exclusive
 * lock, so no other process sees a half-made schema.
 */
export function prepareSchema(db: BetterSqlite3.Database): string | undefined {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId === 0 && version === 0) {
    const { n } = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    if (n !== 0) return 'it is an SQLite database of some other program (it has tables but no fieldbridge application_id)';
    db.transaction(() => {
      db.exec(SCHEMA);
      db.pragma(`application_id = ${SPOOL_APPLICATION_ID}`);
      db.pragma(`user_version = ${SPOOL_SCHEMA_VERSION}`);
    })();
    return undefined;
  }
  if (appId !== SPOOL_APPLICATION_ID) return `its application_id ${appId} is not fieldbridge's (${SPOOL_APPLICATION_ID})`;
  if (version < SPOOL_SCHEMA_VERSION && version >= 1) migrate(db, version);
  else if (version !== SPOOL_SCHEMA_VERSION) {
    return `its schema version is ${version}; this fieldbridge reads version ${SPOOL_SCHEMA_VERSION}`;
  }
  const columns = (db.pragma('table_info(batches)') as { name: string }[]).map((c) => c.name);
  if (COLUMNS.some((c) => !columns.includes(c))) return `its batches table lacks columns (has: ${columns.join(', ') || 'no table'})`;
  const index = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'batches_created_at'").get();
  if (index === undefined) return 'its batches table lacks the batches_created_at index';
  return undefined;
}

/** Brings a spool of schema `from` up to {@link SPOOL_SCHEMA_VERSION}, atomically. */
function migrate(db: BetterSqlite3.Database, from: number): void {
  db.transaction(() => {
    for (let v = from; v < SPOOL_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SPOOL_SCHEMA_VERSION}`);
  })();
}

/** The `sub` key of part `index` cut from a batch whose key is `parentSub`. */
export function partSub(parentSub: Buffer, index: number): Buffer {
  const key = Buffer.alloc(parentSub.length + 4);
  parentSub.copy(key, 0);
  key.writeUInt32BE(index, parentSub.length);
  return key;
}
