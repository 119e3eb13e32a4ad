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

/** Tells the copies of a frame that came over a second route from new frames. */
export interface DuplicateFrames {
  /**
   * True when `frame` repeats one of its component's last {@link COPY_WINDOW_FRAMES} frames
   * (same sequence number, message id and checksum) that came at most {@link COPY_WINDOW_MS}
   * before `atMs`: the same frame heard twice, as when a vehicle reaches the bridge over two
   * routes (two radios, a radio and a modem, a router with two endpoints to it).
   */
  copy(frame: Pick<MavlinkFrame, 'sysid' | 'compid' | 'seq' | 'msgid' | 'version' | 'payload' | 'bytes'>, atMs: number): boolean;
}

interface Recent {
  ids: number[];
  next: number;
  at: Map<number, number>;
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
  return {
    copy(frame, atMs) {
      const at = (frame.version === 2 ? HEADER_V2 : HEADER_V1) + frame.payload.length;
      if (frame.bytes.length < at + 2) return false;
      const checksum = frame.bytes[at]! | (frame.bytes[at + 1]! << 8);
      // 8 + 24 + 16 bits: exact in a double.
      const id = (frame.seq * 2 ** 24 + frame.msgid) * 2 ** 16 + checksum;
      const key = frame.sysid * 256 + frame.compid;
      let recent = components.get(key);
      if (!recent) {
        if (components.size >= MAX_COMPONENTS) return false;
        recent = { ids: [], next: 0, at: new Map() };
        components.set(key, recent);
      }
      const seenAt = recent.at.get(id);
      if (seenAt !== undefined && atMs - seenAt <= COPY_WINDOW_MS && atMs >= seenAt) return true;
      if (seenAt === undefined) {
        if (recent.ids.length < COPY_WINDOW_FRAMES) recent.ids.push(id);
        else {
          recent.at.delete(recent.ids[recent.next]!);
          recent.ids[recent.next] = id;
          recent.next = (recent.next + 1) % COPY_WINDOW_FRAMES;
        }
      }
      recent.at.set(id, atMs);
      return false;
    },
  };
}
