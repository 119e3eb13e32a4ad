/** A buffer lent out by a {@link BufferPool}. */
export interface LentBuffer {
  /** At least the bytes asked for; valid until `release()`. */
  readonly buffer: Buffer;
  /** Gives the buffer back; it must not be used afterwards. Idempotent. */
  release(): void;
}

/**
 * Buffers reused for batch bodies. A batch's body is written into one as its points come, and
 * zlib then reads it, on libuv's threadpool for a few milliseconds. Allocated afresh, each is a
 * 100 kB-1 MB buffer outside the JavaScript heap that a scavenge may promote before zlib is done,
 * and then stays in memory until the next full collection (tens of MB of RSS while a memory spool
 * fills at a million points a second); and each fresh one is mapped page by page, which costs
 * about a millisecond of CPU a megabyte on the project's VM. Lent from here, the same few buffers
 * serve every batch.
 */
export interface BufferPool {
  /** A buffer of at least `need` bytes (a fresh one when all `keep` are out). */
  lend(need: number): LentBuffer;
  /** Buffers kept for lending, and their total size. */
  stats(): { buffers: number; bytes: number };
}

/** Smallest buffer kept: a batch's body is usually 50-200 kB. */
const MIN_BYTES = 64 * 1024;

/** Creates a {@link BufferPool} keeping at most `keep` buffers of at most `maxBytes` each. */
export function createBufferPool(keep: number, maxBytes: number): BufferPool {
  const free: Buffer[] = [];
  /** Buffers of this pool, lent or free (anything else lent was made for one use only). */
  const ours = new WeakSet<Buffer>();
  let made = 0;

  const take = (need: number): Buffer => {
    if (need > maxBytes) return Buffer.allocUnsafeSlow(need);
    let buf = free.pop();
    if (buf === undefined && made < keep) made += 1;
    else if (buf === undefined) return Buffer.allocUnsafeSlow(need);
    if (buf === undefined || buf.length < need) {
      let size = MIN_BYTES;
      while (size < need) size *= 2;
      buf = Buffer.allocUnsafeSlow(Math.min(size, maxBytes));
      ours.add(buf);
    }
    return buf;
  };

  return {
    lend(need) {
      const buffer = take(need);
      let lent = true;
      return {
        buffer,
        release() {
          if (!lent) return;
          lent = false;
          if (ours.has(buffer)) free.push(buffer);
        },
      };
    },
    stats() {
      let bytes = 0;
      for (const buf of free) bytes += buf.length;
      return { buffers: free.length, bytes };
    },
  };
}
