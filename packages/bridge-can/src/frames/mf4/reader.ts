import { open, type FileHandle } from 'node:fs/promises';
import type { CandumpLineResult } from '../candump-line.js';
import { ID_BLOCK_SIZE, MDF_SIGNATURE, readRange, UNFINISHED_SIGNATURE } from './blocks.js';
import { frameGroupOf, frameOfRecord, type FrameGroup } from './bus-frames.js';
import { dataBytes } from './data.js';
import { readLayout, type Mf4ChannelGroup, type Mf4DataGroup } from './layout.js';
import { RecordSplitter } from './records.js';
import { signalSources } from './vlsd.js';

/**
 * Reads the CAN frames of an ASAM MDF 4 file (`.mf4`: CANedge and other loggers, Vector's
 * CANoe and CANalyzer) in the bus logging convention (see `bus-frames.ts`): the data groups'
 * records, sorted (one channel group a data group) or not (record ids), from uncompressed,
 * compressed (DZ) and listed (DL, HL) data blocks; DataBytes fixed in the record, in signal
 * data or in a VLSD channel group (see `vlsd.ts`). Frames of several data groups are merged in
 * time order. Records of other groups (GPS, other buses) are skipped. What the file's structure keeps from being read is reported as
 * a record `{ ok: false }`; it never throws on what the file holds.
 */

/** Options of {@link readMf4Records}. */
export interface Mf4ReaderOptions {
  /** The zone of the start time when the file says it is a local (wall-clock) time. Default `local`. */
  timeZone?: string;
  /** Refuse frames when the file names no start time (their times count from 0). Default false. */
  requireDate?: boolean;
}

const malformed = (message: string): CandumpLineResult => ({ ok: false, kind: 'malformed', message });
const noValues = (): undefined => undefined;

/** True when `head` (the file's first bytes) is an MDF file, finished or not. */
export function isMf4(head: Uint8Array): boolean {
  const start = Buffer.from(head.subarray(0, 8));
  return start.equals(MDF_SIGNATURE) || start.equals(UNFINISHED_SIGNATURE);
}

/** The frames (and problems) of one data group, in its own (time) order. */
async function* framesOf(file: FileHandle, dg: Mf4DataGroup, startMs: number | undefined, requireDate: boolean): AsyncGenerator<CandumpLineResult> {
  const plans = new Map<Mf4ChannelGroup, FrameGroup>();
  for (const group of dg.groups) {
    const plan = frameGroupOf(group);
    if (typeof plan === 'string') yield malformed(plan);
    else if (plan) plans.set(group, plan);
  }
  if (plans.size === 0) return;
  if (startMs === undefined && requireDate) {
    yield { ok: false, kind: 'unsupported', message: 'the MDF file names no start time: its times count from 0 (replay.timestamps: replay moves such a log onto the clock)' };
    return;
  }
  const sources = await signalSources(file, dg, plans);
  for (const [group, reason] of sources.refused) {
    yield malformed(reason);
    plans.delete(group);
  }
  if (plans.size === 0) return;
  const splitter = RecordSplitter.for(dg);
  if (typeof splitter === 'string') {
    yield malformed(splitter);
    return;
  }
  for await (const piece of dataBytes(file, dg.data)) {
    for (const item of splitter.push(piece)) {
      if (typeof item === 'string') {
        yield malformed(item);
        continue;
      }
      const plan = plans.get(item.group);
      if (!plan) {
        sources.vlsdGroups.get(item.group)?.add(item.record);
        continue;
      }
      const seconds = plan.seconds(item.record);
      if (seconds === undefined || !Number.isFinite(seconds)) {
        yield malformed(`a CAN_${plan.kind} record whose time cannot be read`);
        continue;
      }
      yield frameOfRecord(plan, item.record, (startMs ?? 0) + seconds * 1000, sources.lookups.get(item.group) ?? noValues);
    }
    if (splitter.ended) return;
  }
  const rest = splitter.finish();
  if (rest) yield malformed(rest);
}

/** Merges the data groups' streams by frame time; problems pass on at once. */
async function* merged(streams: AsyncGenerator<CandumpLineResult>[]): AsyncGenerator<CandumpLineResult> {
  const heads: (CandumpLineResult | undefined)[] = [];
  const advance = async (i: number): Promise<void> => {
    const next = await streams[i]!.next();
    heads[i] = next.done ? undefined : next.value;
  };
  for (let i = 0; i < streams.length; i++) await advance(i);
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h === undefined) continue;
      if (!h.ok) {
        best = i;
        break;
      }
      const b = heads[best];
      if (best < 0 || (b?.ok && h.frame.timestampMs < b.frame.timestampMs)) best = i;
    }
    if (best < 0) return;
    yield heads[best]!;
    await advance(best);
  }
}

/**
 * The records of an MDF 4 file: a frame or a problem each. A file that is no finished MDF 4
 * file, or whose blocks cannot be followed, gives one problem (after the frames read until then).
 */
export async function* readMf4Records(path: string, options: Mf4ReaderOptions = {}): AsyncGenerator<CandumpLineResult> {
  const file = await open(path, 'r');
  try {
    let id: Buffer;
    try {
      id = await readRange(file, 0, ID_BLOCK_SIZE);
    } catch {
      yield malformed('not an MDF file: shorter than its 64-byte identification block');
      return;
    }
    if (id.subarray(0, 8).equals(UNFINISHED_SIGNATURE)) {
      yield malformed('an unfinalized MDF file (a logger still writing it, or its raw file): finalize it with the logger\'s tools first');
      return;
    }
    if (!id.subarray(0, 8).equals(MDF_SIGNATURE)) {
      yield malformed('not an MDF file: it does not start with "MDF     "');
      return;
    }
    const version = id.readUInt16LE(28);
    if (version < 400) {
      yield malformed(`MDF version ${version / 100}: only version 4 (.mf4) is read; convert it with the logger's tools`);
      return;
    }
    try {
      const layout = await readLayout(file, id, options.timeZone ?? 'local');
      const streams = layout.dataGroups.map((dg) => framesOf(file, dg, layout.startMs, options.requireDate ?? false));
      if (!layout.dataGroups.some((dg) => dg.groups.some((g) => frameGroupOf(g) !== undefined))) {
        yield malformed('the MDF file holds no CAN frames (no CAN_DataFrame, CAN_RemoteFrame or CAN_ErrorFrame channel group)');
        return;
      }
      yield* streams.length === 1 ? streams[0]! : merged(streams);
    } catch (err) {
      // The file system's errors are the caller's (the log cannot be read); anything else is what the file holds.
      if ('syscall' in (err as object)) throw err;
      yield malformed(`the MDF file cannot be read further: ${(err as Error).message}`);
    }
  } finally {
    await file.close();
  }
}
