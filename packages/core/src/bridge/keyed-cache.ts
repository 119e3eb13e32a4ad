/** Options of {@link createKeyedCache}. */
export interface KeyedCacheOptions<K> {
  /** Keys kept at most; past it the one kept longest is forgotten. Default 10 000. */
  maxKeys?: number;
  /** Whether a key may be kept at all (e.g. not a 64 KiB topic); others are computed every time. Default: all. */
  keep?: (key: K) => boolean;
}

/**
 * What the hot path works out once per key a peer repeats (a topic, a CAN id, a node) rather
 * than per message: `compute` runs on a key's first use, and its result is kept for the next.
 * Bounded, because the keys come from the peer: at most `maxKeys` results, first in first out
 * (a hit costs one map lookup, nothing is reordered).
 */
export function createKeyedCache<K, V>(compute: (key: K) => V, options: KeyedCacheOptions<K> = {}): (key: K) => V {
  const maxKeys = options.maxKeys ?? 10_000;
  const kept = new Map<K, V>();
  return (key) => {
    const hit = kept.get(key);
    // One lookup for a hit: `has` only for a kept undefined.
    if (hit !== undefined || kept.has(key)) return hit as V;
    const value = compute(key);
    if (options.keep && !options.keep(key)) return value;
    if (kept.size >= maxKeys) kept.delete(kept.keys().next().value as K);
    kept.set(key, value);
    return value;
  };
}
