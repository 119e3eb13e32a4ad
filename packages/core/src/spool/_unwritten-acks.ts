import type { SpoolStatements } from './_sqlite-statements.js';

/** What the disk spool's acknowledgements kept in memory need of its open file. */
export interface AckFile {
  q: SpoolStatements;
  /** Deletes rows in one transaction. */
  removeRows(ids: readonly string[]): unknown;
}

/**
 * Acknowledgements a full disk had no room for: the batches are gone from the spool's content
 * and totals, their rows still in the file until a write finds room (every SQLite commit, a
 * delete's too, appends to the WAL). Reads in order go around them from the first row that is
 * not one of them, so draining a backlog on a full disk does not read past every acknowledged
 * row again at each lease.
 */
export interface UnwrittenAcks {
  readonly size: number;
  has(id: string): boolean;
  add(id: string): void;
  /** Deletes their rows; false while the disk still has no room. Other failures throw. */
  write(): boolean;
  /** Ids in order from the first row not acknowledged. */
  onward(): IterableIterator<{ id: string }>;
  /** `created_at_ms` of the first row not acknowledged (batches are stored in the order made). */
  oldest(): number | undefined;
  /** Forgets them (the file they are in was moved aside). */
  clear(): void;
}

type Key = { id: string; seq: number; sub: Buffer };

/** Creates the {@link UnwrittenAcks} of the file `file()` gives (a new one after a recovery). */
export function createUnwrittenAcks(file: () => AckFile, isDiskFull: (err: unknown) => boolean): UnwrittenAcks {
  const ids = new Set<string>();
  // The key of the first row that is not one of them; every row before it is.
  let from: { seq: number; sub: Buffer } | undefined;
  const keys = (): IterableIterator<Key> => {
    const { q } = file();
    return (from === undefined ? q.keys.iterate() : q.keysFrom.iterate(from.seq, from.sub)) as IterableIterator<Key>;
  };
  const advance = (): void => {
    for (const row of keys()) {
      if (ids.has(row.id)) continue;
      from = { seq: row.seq, sub: row.sub };
      return;
    }
  };
  const clear = (): void => {
    ids.clear();
    from = undefined;
  };
  return {
    get size() {
      return ids.size;
    },
    has: (id) => ids.has(id),
    add: (id) => void ids.add(id),
    write() {
      if (ids.size === 0) return true;
      try {
        file().removeRows([...ids]);
      } catch (err) {
        if (isDiskFull(err)) return false;
        throw err;
      }
      clear();
      return true;
    },
    onward() {
      advance();
      return keys();
    },
    oldest() {
      advance();
      const found = from === undefined ? file().q.oldest.get() : file().q.createdAtFrom.get(from.seq, from.sub);
      return (found as { m: number | null } | undefined)?.m ?? undefined;
    },
    clear,
  };
}
