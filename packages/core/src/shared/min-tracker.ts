/** A multiset of numbers that answers its minimum in amortized O(log n). */
export interface MinTracker {
  add(value: number): void;
  /** Removes one occurrence; removing a value not held is a no-op. */
  remove(value: number): void;
  /** The smallest value held, or `undefined` when empty. */
  min(): number | undefined;
  clear(): void;
}

/**
 * A binary min-heap of distinct values plus a count per value. Removal only decrements the
 * count; heap entries whose count reached zero are discarded lazily when they surface, and the
 * heap is rebuilt when stale entries outnumber live ones, so memory stays proportional to the
 * content even when an old value is held for a long time.
 */
export function createMinTracker(): MinTracker {
  const counts = new Map<number, number>();
  let heap: number[] = [];

  const less = (i: number, j: number): boolean => (heap[i] as number) < (heap[j] as number);
  const swap = (i: number, j: number): void => {
    const t = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = t;
  };
  const up = (start: number): void => {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  const pop = (): void => {
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
  };
  const prune = (): void => {
    while (heap.length > 0 && !counts.has(heap[0] as number)) pop();
    if (heap.length > 2 * counts.size + 64) {
      heap = [...counts.keys()];
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    }
  };

  return {
    add(value) {
      const n = counts.get(value) ?? 0;
      counts.set(value, n + 1);
      if (n === 0) {
        heap.push(value);
        up(heap.length - 1);
      }
    },
    remove(value) {
      const n = counts.get(value);
      if (n === undefined) return;
      if (n > 1) counts.set(value, n - 1);
      else {
        counts.delete(value);
        prune();
      }
    },
    min() {
      return heap[0];
    },
    clear() {
      counts.clear();
      heap = [];
    },
  };
}
