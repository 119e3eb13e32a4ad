import type { MavlinkFrame } from './frame.js';

/** Frames remembered per component: a copy up to this many frames behind its original is told apart. */
export const COPY_WINDOW_FRAMES = 64;
/**
 * Longest time (ms) between a frame and its copy. Two routes differ by well under this (a SiK
 * radio and an LTE modem, two ground radios); a component that rebooted and sends its first
 * frames again, byte for byte, has been away longer.
 */
export const COPY_WINDOW_MS = 2_000;
/** Components remembered, as the vehicle tracker (256 systems with 32 components each). */
const MAX_COMPONENTS = 256 * 32;

const HEADER_V1 = 6;
const HEADER_V2 = 10;

/** The frame a copy repeats: the route it came over, and whether it was read. */
export interface Original {
  /** The route (`LinkChunk.peer`) the original came over; `''` when the caller names none. */
  route: string;
  /**
   * False for a frame remembered but not read: it came over a route whose messages another
   * route carries (see `routes.ts`), so the copy is the first of its frames to be read.
   */
  read: boolean;
}

type CopyFrame = Pick<MavlinkFrame, 'sysid' | 'compid' | 'seq' | 'msgid' | 'version' | 'payload' | 'bytes'>;

/** Tells the copies of a frame that came over a second route from new frames. */
export interface DuplicateFrames {
  /**
   * True when `frame` repeats one of its component's last {@link COPY_WINDOW_FRAMES} frames
   * (same sequence number, message id and checksum) that came at most {@link COPY_WINDOW_MS}
   * before `atMs`: the same frame heard twice, as when a vehicle reaches the bridge over two
   * routes (two radios, a radio and a modem, a router with two endpoints to it). A frame that
   * is no copy is remembered, as read.
   */
  copy(frame: CopyFrame, atMs: number): boolean;
  /** The original `frame` repeats (as {@link copy} tells it), without remembering anything. */
  find(frame: CopyFrame, atMs: number): Original | undefined;
  /** Remembers `frame`, from `route`, read or not; a frame remembered unread and now read is marked read. */
  remember(frame: CopyFrame, atMs: number, route: string, read: boolean): void;
}

interface Seen {
  atMs: number;
  route: string;
  read: boolean;
}

interface Recent {
  ids: number[];
  next: number;
  at: Map<number, Seen>;
}

/**
 * Creates the copy filter of one link. A copy is the frame again, so its points would be sent
 * twice (at timestamps a receiver cannot tell apart from new ones), and a copy that comes a few
 * frames behind its original reads to the sequence count as a gap of 250 frames lost. Bounded:
 * {@link COPY_WINDOW_FRAMES} per component, {@link MAX_COMPONENTS} components (past them, no
 * frame of a new component is taken for a copy).
 */
export function createDuplicateFrames(): DuplicateFrames {
  const components = new Map<number, Recent>();
  const keyOf = (frame: CopyFrame): { id: number; key: number } | undefined => {
    const at = (frame.version === 2 ? HEADER_V2 : HEADER_V1) + frame.payload.length;
    if (frame.bytes.length < at + 2) return undefined;
    const checksum = frame.bytes[at]! | (frame.bytes[at + 1]! << 8);
    // 8 + 24 + 16 bits: exact in a double.
    return { id: (frame.seq * 2 ** 24 + frame.msgid) * 2 ** 16 + checksum, key: frame.sysid * 256 + frame.compid };
  };
  const within = (seen: Seen | undefined, atMs: number): seen is Seen => seen !== undefined && atMs - seen.atMs <= COPY_WINDOW_MS && atMs >= seen.atMs;
  const filter: DuplicateFrames = {
    copy(frame, atMs) {
      if (filter.find(frame, atMs)?.read) return true;
      filter.remember(frame, atMs, '', true);
      return false;
    },
    find(frame, atMs) {
      const k = keyOf(frame);
      const seen = k && components.get(k.key)?.at.get(k.id);
      return within(seen, atMs) ? { route: seen.route, read: seen.read } : undefined;
    },
    remember(frame, atMs, route, read) {
      const k = keyOf(frame);
      if (!k) return;
      let recent = components.get(k.key);
      if (!recent) {
        if (components.size >= MAX_COMPONENTS) return;
        recent = { ids: [], next: 0, at: new Map() };
        components.set(k.key, recent);
      }
      const seen = recent.at.get(k.id);
      // A copy of a frame not read, read now: its later copies are copies of a frame read.
      if (within(seen, atMs)) {
        if (read && !seen.read) recent.at.set(k.id, { atMs: seen.atMs, route, read });
        return;
      }
      if (seen === undefined) {
        if (recent.ids.length < COPY_WINDOW_FRAMES) recent.ids.push(k.id);
        else {
          recent.at.delete(recent.ids[recent.next]!);
          recent.ids[recent.next] = k.id;
          recent.next = (recent.next + 1) % COPY_WINDOW_FRAMES;
        }
      }
      recent.at.set(k.id, { atMs, route, read });
    },
  };
  return filter;
}
