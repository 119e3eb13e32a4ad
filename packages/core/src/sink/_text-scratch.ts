/** A buffer lent out by a {@link TextScratch}, holding a text's UTF-8 bytes. */
export interface ScratchBytes {
  /** The text's bytes: a view of the lent buffer, valid until `release()`. */
  readonly bytes: Buffer;
  /** Gives the buffer back; `bytes` must not be read afterwards. Idempotent. */
  release(): void;
}

/**
 * Buffers reused for texts' UTF-8 bytes. A batch's JSON is turned into bytes for zlib, which
 * reads them on libuv's threadpool for a few milliseconds: allocated afresh, each is a 100 kB
 * buffer outside the JavaScript heap that a scavenge may promote before zlib is done, and then
 * stays in memory until the next full collection (tens of MB of RSS while a memory spool fills
 * at a million points a second). Lent from here, the same few buffers serve every batch.
 */
export interface TextScratch {
  /** The UTF-8 bytes of `text` in a lent buffer (a fresh one when all `keep` are out). */
  encode(text: string): ScratchBytes;
  /** Buffers kept for lending, and their total size. */
  stats(): { buffers: number; bytes: number };
}

/** Smallest buffer kept: a batch's JSON is usually 50-200 kB. */
const MIN_BYTES = 64 * 1024;

/** Creates a {@link TextScratch} keeping at most `keep` buffers of at most `maxBytes` each. */
export function createTextScratch(keep: number, maxBytes: number): TextScratch {
  const free: Buffer[] = [];
  /** Buffers of this scratch, lent or free (anything else lent was made for one text only). */
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
    encode(text) {
      const length = Buffer.byteLength(text);
      const buf = take(length);
      buf.write(text, 0, 'utf8');
      let lent = true;
      return {
        bytes: buf.subarray(0, length),
        release() {
          if (!lent) return;
          lent = false;
          if (ours.has(buf)) free.push(buf);
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
