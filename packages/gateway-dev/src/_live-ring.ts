/**
 * The last stream events, kept so a client that reconnects with `Last-Event-ID` gets exactly
 * the events it missed. Bounded by count and by bytes; ids are consecutive integers.
 */
export interface ReplayRing {
  /** The id of the newest event (or the id the ring was cleared at). */
  lastId(): number;
  /** Appends an event, already formatted for the wire with the id `lastId() + 1`; returns that id. */
  push(frame: string): number;
  /**
   * The frames after `id`, oldest first; `[]` when `id` is the newest; undefined when `id` is
   * older than the oldest kept event, newer than the newest, or the frames would pass `maxBytes`.
   */
  since(id: number, maxBytes: number): string[] | undefined;
  /** Forgets every event; the next one pushed gets `id + 1`. */
  clear(id: number): void;
}

/** Creates a {@link ReplayRing} holding at most `maxEvents` events and `maxBytes` bytes. */
export function createReplayRing(firstId: number, maxEvents: number, maxBytes: number): ReplayRing {
  let frames: string[] = [];
  let sizes: number[] = [];
  let start = 0;
  let bytes = 0;
  let last = firstId;

  const held = (): number => frames.length - start;
  const dropOldest = (): void => {
    bytes -= sizes[start]!;
    start += 1;
    if (start > 1024 && start * 2 > frames.length) {
      frames = frames.slice(start);
      sizes = sizes.slice(start);
      start = 0;
    }
  };

  return {
    lastId: () => last,
    push(frame) {
      const size = Buffer.byteLength(frame);
      frames.push(frame);
      sizes.push(size);
      bytes += size;
      last += 1;
      while (held() > maxEvents || (bytes > maxBytes && held() > 1)) dropOldest();
      return last;
    },
    since(id, limit) {
      if (!Number.isSafeInteger(id) || id > last) return undefined;
      const oldest = last - held() + 1;
      if (id < oldest - 1) return undefined;
      let total = 0;
      const out: string[] = [];
      for (let i = start + (id - (oldest - 1)); i < frames.length; i++) {
        total += sizes[i]!;
        if (total > limit) return undefined;
        out.push(frames[i]!);
      }
      return out;
    },
    clear(id) {
      frames = [];
      sizes = [];
      start = 0;
      bytes = 0;
      last = id;
    },
  };
}
