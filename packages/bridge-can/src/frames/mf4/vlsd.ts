import type { FileHandle } from 'node:fs/promises';
import { Mf4FormatError, readBlock } from './blocks.js';
import type { FrameGroup } from './bus-frames.js';
import { dataBytes } from './data.js';
import type { Mf4ChannelGroup, Mf4DataGroup } from './layout.js';

/**
 * Where a variable-length DataBytes channel (VLSD) keeps its values, by the offset its record
 * holds: either a signal data block (SD, or a DT/DZ/DL/HL list of them), read whole once, or a
 * VLSD channel group of the same data group (MDF 4.1 and later; bus loggers write it instead of
 * signal data, since it can be written as the frames come). That group's records sit among the
 * frames' records, each a length and that many bytes; a value's offset counts the bytes of the
 * group's records before it, lengths included, as if they were laid end to end in signal data.
 * A writer puts each value before the record that points at it.
 */

/** Signal data held for lookups by offset is bounded to this. */
const MAX_SIGNAL_DATA = 256 * 1024 * 1024;

/** Values of a VLSD channel group read but not yet asked for are bounded to this many (a frame's come just before it). */
const MAX_WAITING = 4096;

/** A value by its offset, or undefined when there is none there. */
export type SignalLookup = (offset: number) => Buffer | undefined;

/** The values of one VLSD channel group, as its records go by. */
export class VlsdValues {
  private offset = 0;
  private readonly waiting = new Map<number, Buffer>();

  /** A record of the group (its bytes after the length): kept until asked for by its offset. */
  add(value: Buffer): void {
    // Copied: the record is a view of a piece of the data that goes on.
    this.waiting.set(this.offset, Buffer.from(value));
    this.offset += 4 + value.length;
    if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value as number);
  }

  /** The value at `offset`, once: a value is pointed at by one record. */
  readonly take: SignalLookup = (offset) => {
    const value = this.waiting.get(offset);
    if (value !== undefined) this.waiting.delete(offset);
    return value;
  };
}

/** How the frame groups of a data group find their DataBytes. */
export interface SignalSources {
  /** The lookup of each frame group whose DataBytes are variable-length. */
  lookups: Map<Mf4ChannelGroup, SignalLookup>;
  /** The VLSD channel groups of the data group that frame groups read from. */
  vlsdGroups: Map<Mf4ChannelGroup, VlsdValues>;
  /** Frame groups whose values cannot be found, with the reason (left out by the caller). */
  refused: Map<Mf4ChannelGroup, string>;
}

/** The whole of a data link's bytes, for offset lookups. */
async function wholeData(file: FileHandle, link: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of dataBytes(file, link)) {
    size += part.length;
    if (size > MAX_SIGNAL_DATA) throw new Mf4FormatError(`signal data over ${MAX_SIGNAL_DATA} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** A lookup into length-prefixed values laid end to end. */
function lookupIn(data: Buffer): SignalLookup {
  return (offset) => {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32LE(offset);
    return offset + 4 + length > data.length ? undefined : data.subarray(offset + 4, offset + 4 + length);
  };
}

/** Finds where the variable-length DataBytes of `plans` (the frame groups of `dg`) are. */
export async function signalSources(file: FileHandle, dg: Mf4DataGroup, plans: ReadonlyMap<Mf4ChannelGroup, FrameGroup>): Promise<SignalSources> {
  const sources: SignalSources = { lookups: new Map(), vlsdGroups: new Map(), refused: new Map() };
  const byLink = new Map<number, SignalLookup>();
  for (const [group, plan] of plans) {
    const channel = plan.fields.DataBytes;
    const link = channel?.channelType === 1 ? channel.signalData : 0;
    if (link === 0) continue;
    let lookup = byLink.get(link);
    if (lookup === undefined) {
      if ((await readBlock(file, link, ['SD', 'DT', 'RD', 'DZ', 'DL', 'HL', 'CG'], false)).type === 'CG') {
        const vlsdGroup = dg.groups.find((g) => g.address === link && g.vlsd);
        if (vlsdGroup === undefined) {
          sources.refused.set(group, `CAN_${plan.kind}.DataBytes points at a channel group that is no VLSD group of its data group`);
          continue;
        }
        const values = new VlsdValues();
        sources.vlsdGroups.set(vlsdGroup, values);
        lookup = values.take;
      } else lookup = lookupIn(await wholeData(file, link));
      byLink.set(link, lookup);
    }
    sources.lookups.set(group, lookup);
  }
  return sources;
}
