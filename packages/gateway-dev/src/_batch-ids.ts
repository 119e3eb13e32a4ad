/**
 * The batch ids seen most recently, to tell a batch sent again (a retry, a spool resent after a
 * restart) from a new one. Bounded: past `max` ids the oldest is forgotten, so a gateway left
 * running for weeks, or a benchmark at thousands of batches a second, holds at most `max` of
 * them (about 140 bytes each) instead of every id it ever saw.
 */
export interface RecentBatchIds {
  /** True when `id` was seen among the last `max` ids; then remembers it as the newest. */
  seen(id: string): boolean;
  /** How many ids are remembered now. */
  readonly size: number;
  clear(): void;
}

/** A {@link RecentBatchIds} remembering at most `max` ids (a positive integer). */
export function createRecentBatchIds(max: number): RecentBatchIds {
  // A Set iterates in insertion order: its first entry is the oldest.
  const ids = new Set<string>();
  return {
    seen(id) {
      const known = ids.delete(id);
      ids.add(id);
      if (ids.size > max) ids.delete(ids.values().next().value as string);
      return known;
    },
    get size() {
      return ids.size;
    },
    clear() {
      ids.clear();
    },
  };
}
