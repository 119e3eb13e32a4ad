import { replayCandumpFile } from './frames/candump-replay.js';
import type { CanFrame } from './frames/can-frame.js';

/** Frames of a log's head compared: a bus's traffic over 64 frames (ids, payloads, gaps) is its own. */
const LEAD_FRAMES = 64;

/**
 * Frames a shorter log must hold to be compared whole (with every frame, and only with a log of
 * as many): a short test's capture beside its export is still one capture; fewer frames (one
 * request and its answer) may well repeat at the same second.
 */
const WHOLE_FRAMES = 8;

/**
 * How far two writers' times of one frame may part, in ms: 0.1 ms covers the coarsest of them
 * (`log2asc -4` writes four decimals of a second), far below the jitter between two captures.
 */
const GAP_TOLERANCE_MS = 0.1;

/**
 * How far apart two writers may place the start of one capture, in ms: `log2asc` writes the
 * date line to the second. Two drives that begin alike (a parked vehicle's first frames, counters
 * reset at power-up) are further apart than that.
 */
const START_TOLERANCE_MS = 1000;

/** The head of a log: its first frames (error frames left out, which formats write differently), as content and gaps to the first. */
export interface LogLead {
  /** The time written for the first frame, in ms (since the epoch for a log with a date). */
  startMs: number;
  /** `id/extended/rtr/payload-in-hex` per frame. */
  frames: string[];
  /** ms from the first frame, per frame. */
  gapsMs: number[];
  /** The log ended before {@link LEAD_FRAMES} frames: these are all of its frames. */
  whole: boolean;
}

/**
 * The first {@link LEAD_FRAMES} frames of a log, read as the replay reads it (any channel, no
 * filter): what tells one capture written twice (a candump log and its Vector ASC or BLF export)
 * from two captures; all of a shorter log's frames, at least {@link WHOLE_FRAMES}. Undefined when
 * the log cannot be read or holds fewer frames: a few frames do not tell two captures apart.
 */
export async function logLead(path: string, timeZone: string): Promise<LogLead | undefined> {
  const lead: LogLead = { startMs: 0, frames: [], gapsMs: [], whole: false };
  const stop = new AbortController();
  let first: number | undefined;
  const onFrame = (frame: CanFrame): void => {
    if (frame.error) return;
    // Read onto the replay's clock, so that a log without a date is compared too: its own times are kept in `loggedMs`.
    const logged = frame.loggedMs ?? frame.timestampMs;
    if (first === undefined) lead.startMs = first = logged;
    lead.frames.push(`${frame.id}/${frame.extended ? 'x' : 's'}/${frame.rtr ? 'r' : 'd'}/${Buffer.from(frame.data).toString('hex')}`);
    lead.gapsMs.push(logged - first);
    if (lead.frames.length >= LEAD_FRAMES) stop.abort();
  };
  try {
    await replayCandumpFile(path, { timestamps: 'replay', timeZone, signal: stop.signal, onFrame });
  } catch {
    return undefined; // A log that cannot be read is said when it is replayed.
  }
  if (lead.frames.length >= LEAD_FRAMES) return lead;
  return lead.frames.length >= WHOLE_FRAMES ? { ...lead, whole: true } : undefined;
}

/**
 * Whether two logs begin at the same moment (within a second) with the same frames at the same
 * gaps: the same capture in two formats. A short log is one only with a log of as many frames
 * (all of both alike). A log read in the wrong zone (`replay.time_zone`) is not the same capture
 * as its original.
 */
export function sameCapture(a: LogLead, b: LogLead): boolean {
  if (Math.abs(a.startMs - b.startMs) >= START_TOLERANCE_MS) return false;
  if (a.whole !== b.whole || a.frames.length !== b.frames.length) return false;
  for (let i = 0; i < a.frames.length; i++) {
    if (a.frames[i] !== b.frames[i]) return false;
    if (Math.abs(a.gapsMs[i]! - b.gapsMs[i]!) > GAP_TOLERANCE_MS) return false;
  }
  return true;
}

/**
 * Follows a folder's logs in the order they are read: `earlier(file)` names the log read before
 * that `file` repeats (see {@link sameCapture}), or undefined, and then remembers `file` as read.
 */
export function createCaptureIndex(timeZone: string): { earlier(file: string): Promise<string | undefined> } {
  const leads: { file: string; lead: LogLead }[] = [];
  return {
    async earlier(file) {
      const lead = await logLead(file, timeZone);
      if (!lead) return undefined;
      const original = leads.find((read) => sameCapture(read.lead, lead));
      if (original) return original.file;
      leads.push({ file, lead });
      return undefined;
    },
  };
}
