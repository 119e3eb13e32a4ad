/**
 * How many entries are pending on each sequence number, for numbers handed out in increasing
 * order, and the oldest number still pending in amortized O(1). Held as a ring of counts, 4 bytes
 * a number from the oldest pending to the newest: the Map and heap of a general min-tracker cost
 * about 60 bytes for each of the 30,000 batches a full memory spool holds.
 */
export interface PendingSeqs {
  /** Hands out the next number, with one entry pending on it. */
  next(): number;
  /** One more entry pending on `seq`, which must still have one. */
  hold(seq: number): void;
  /** One entry pending on `seq` settled; a number not pending is ignored. */
  release(seq: number): void;
  /** The oldest number with an entry pending, or undefined when none is. */
  oldest(): number | undefined;
  /** The last number handed out (-1 before the first). */
  newest(): number;
}

const MIN_CAPACITY = 64;

/** Creates an empty {@link PendingSeqs}; the first number handed out is 0. */
export function createPendingSeqs(): PendingSeqs {
  let counts = new Int32Array(MIN_CAPACITY);
  /** Ring position of `base`, the oldest number held, and how many numbers are held from it. */
  let head = 0;
  let base = 0;
  let size = 0;

  const at = (i: number): number => (head + i) & (counts.length - 1);
  const resize = (capacity: number): void => {
    const next = new Int32Array(capacity);
    for (let i = 0; i < size; i++) next[i] = counts[at(i)]!;
    counts = next;
    head = 0;
  };
  const trim = (): void => {
    while (size > 0 && counts[head] === 0) {
      head = (head + 1) & (counts.length - 1);
      base += 1;
      size -= 1;
    }
    // A drained backlog gives its ring back.
    if (counts.length > MIN_CAPACITY && size < counts.length / 8) resize(Math.max(MIN_CAPACITY, counts.length / 4));
  };

  return {
    next() {
      if (size === counts.length) resize(counts.length * 2);
      counts[at(size)] = 1;
      size += 1;
      return base + size - 1;
    },
    hold(seq) {
      const i = seq - base;
      if (i >= 0 && i < size) counts[at(i)]! += 1;
    },
    release(seq) {
      const i = seq - base;
      if (i < 0 || i >= size || counts[at(i)] === 0) return;
      counts[at(i)]! -= 1;
      if (i === 0) trim();
    },
    oldest: () => (size > 0 ? base : undefined),
    newest: () => base + size - 1,
  };
}
