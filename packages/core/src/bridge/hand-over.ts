/** Limits of what a {@link HandOver} holds while nobody reads. */
export interface HandOverLimits<T> {
  /** Items held at most; past it, arrivals are dropped and counted. */
  maxItems: number;
  /** Bytes held at most, as `sizeOf` counts them. Default no byte limit. */
  maxBytes?: number;
  /** An item's size in bytes, for `maxBytes`. */
  sizeOf?(item: T): number;
}

/** Reads an item: `waitedMs` is set for an item that was held, to how long it waited. */
export type HandOverReader<T> = (item: T, waitedMs?: number) => void;

/**
 * What arrives from a resource kept open across SIGHUP reloads (`ctx.keepOpen`: a socket, a
 * bus), handed to one reader at a time. Between one instance's stop and the next one's start
 * nobody reads: arrivals are held in order, bounded, and the next reader gets them first, so
 * that each is read once, by one instance.
 */
export interface HandOver<T> {
  /** An arrival: to the reader, or held while there is none. */
  push(item: T): void;
  /**
   * Makes `reader` the reader: it reads what was held since the last `detach`, in order, then
   * what arrives. Returns how many arrivals were dropped meanwhile because the hold was full.
   */
  attach(reader: HandOverReader<T>): number;
  /** The reader stops reading: arrivals are held for the next `attach`. */
  detach(): void;
  /** Whether a reader reads now. */
  readonly attached: boolean;
}

/** A hand-over whose first reader is `reader`, if given (the instance that opened the resource). */
export function createHandOver<T>(limits: HandOverLimits<T>, reader?: HandOverReader<T>): HandOver<T> {
  let current = reader;
  let held: { item: T; atMs: number }[] = [];
  let heldBytes = 0;
  let dropped = 0;
  return {
    push(item) {
      if (current) return current(item);
      const bytes = limits.sizeOf && limits.maxBytes !== undefined ? limits.sizeOf(item) : 0;
      if (held.length >= limits.maxItems || (limits.maxBytes !== undefined && heldBytes + bytes > limits.maxBytes)) {
        dropped += 1;
        return;
      }
      held.push({ item, atMs: performance.now() });
      heldBytes += bytes;
    },
    attach(next) {
      current = next;
      const backlog = held;
      const lost = dropped;
      held = [];
      heldBytes = 0;
      dropped = 0;
      const now = performance.now();
      for (const { item, atMs } of backlog) next(item, now - atMs);
      return lost;
    },
    detach() {
      current = undefined;
    },
    get attached() {
      return current !== undefined;
    },
  };
}
