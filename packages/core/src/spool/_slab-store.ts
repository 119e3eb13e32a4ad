/** A slab: one large buffer that batches' bytes are copied into, back to back. */
export interface Slab {
  readonly bytes: Buffer;
  /** Gives the slab's memory back to the system at once (its views read nothing afterwards). */
  readonly discard: () => void;
  /** Bytes handed out so far. */
  used: number;
  /** Pieces still held. The slab is let go (kept spare for reuse, or its memory handed back) when this reaches 0. */
  live: number;
}

/** Where one piece of bytes sits. */
export interface SlabRef {
  slab: Slab;
  offset: number;
  length: number;
}

/**
 * Bytes copied into shared slabs instead of one allocation each. A freed piece's bytes may be
 * overwritten by a later `put`: its views must not be read after `free`.
 */
export interface SlabStore {
  /** Copies `bytes` in; a piece larger than a quarter slab keeps a buffer of its own. */
  put(bytes: Buffer): SlabRef;
  /** The bytes of a piece (a view, not a copy). */
  view(ref: SlabRef): Buffer;
  /** The piece is no longer held. */
  free(ref: SlabRef): void;
  /** Slabs still referenced by some held piece, and their total size. */
  stats(): { slabs: number; bytes: number };
  clear(): void;
}

/** Default slab size: 128 batches of 8 KiB (a thousand points, gzipped). */
export const SLAB_BYTES = 1024 * 1024;

/** Emptied slabs kept for reuse: a full spool dropping its oldest frees one as it fills one. */
const SPARE_SLABS = 2;

/**
 * A slab allocator for a memory spool's batch bodies. Held one buffer each, 30,000 batches cost
 * 30,000 JavaScript buffer objects, backing stores and malloc blocks; the garbage collector
 * scales its heap with what is live, so a full spool also made every collection bigger and the
 * heap between them larger. In slabs, the same bytes are 256 objects, and a spool drained
 * oldest-first frees whole slabs at once. What is left unused is bounded: the slab being
 * written, and pieces freed out of order until their slab empties. Emptied slabs are reused (up
 * to {@link SPARE_SLABS} of them) rather than left to the garbage collector: a full spool under
 * `drop_oldest` otherwise churned a megabyte of memory the collector had yet to free every 128
 * batches, tens of MB of RSS past the cap.
 */
export function createSlabStore(slabBytes = SLAB_BYTES): SlabStore {
  let current: Slab | undefined;
  const held = new Set<Slab>();
  const spare: Slab[] = [];

  const newSlab = (size: number): Slab => {
    const reused = size === slabBytes ? spare.pop() : undefined;
    const slab: Slab = reused ?? { ...allocate(size), used: 0, live: 0 };
    slab.used = 0;
    slab.live = 0;
    held.add(slab);
    return slab;
  };
  const release = (slab: Slab): void => {
    held.delete(slab);
    if (slab.bytes.length === slabBytes && spare.length < SPARE_SLABS) spare.push(slab);
    else slab.discard();
  };

  return {
    put(bytes) {
      if (bytes.length > slabBytes / 4) {
        const own = newSlab(bytes.length);
        bytes.copy(own.bytes);
        own.used = bytes.length;
        own.live = 1;
        return { slab: own, offset: 0, length: bytes.length };
      }
      if (current === undefined || current.used + bytes.length > current.bytes.length) {
        const full = current;
        current = newSlab(slabBytes);
        if (full !== undefined && full.live === 0) release(full);
      }
      const ref = { slab: current, offset: current.used, length: bytes.length };
      bytes.copy(current.bytes, current.used);
      current.used += bytes.length;
      current.live += 1;
      return ref;
    },
    view: (ref) => ref.slab.bytes.subarray(ref.offset, ref.offset + ref.length),
    free(ref) {
      ref.slab.live -= 1;
      if (ref.slab.live === 0 && ref.slab !== current) release(ref.slab);
    },
    stats() {
      let bytes = 0;
      for (const slab of held) bytes += slab.bytes.length;
      return { slabs: held.size, bytes };
    },
    clear() {
      held.clear();
      spare.length = 0;
      current = undefined;
    },
  };
}

interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
type ResizableArrayBufferConstructor = new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;

/**
 * A slab's memory. Where the runtime has resizable ArrayBuffers (Node 20 does), a slab is one:
 * V8 maps its pages itself, and `resize(0)` hands them back to the system at once, so a draining
 * spool's RSS falls as it drains instead of when the garbage collector next gets to the freed
 * slabs (no full collection runs during a fast drain: the whole spool stayed resident until its
 * end). Only slabs without a held piece are discarded; the views of their freed pieces then
 * read as empty rather than as another batch's bytes.
 */
function allocate(size: number): Pick<Slab, 'bytes' | 'discard'> {
  if (typeof (ArrayBuffer.prototype as Partial<ResizableArrayBuffer>).resize !== 'function') return { bytes: Buffer.allocUnsafeSlow(size), discard: () => undefined };
  const memory = new (ArrayBuffer as unknown as ResizableArrayBufferConstructor)(size, { maxByteLength: size });
  return { bytes: Buffer.from(memory, 0, size), discard: () => memory.resize(0) };
}
