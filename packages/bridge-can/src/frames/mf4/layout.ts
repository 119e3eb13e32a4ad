import type { FileHandle } from 'node:fs/promises';
import { wallTimeToEpochMs } from '@fieldbridge/core/bridge';
import { ID_BLOCK_SIZE, Mf4FormatError, readBlock, readText } from './blocks.js';

/**
 * What an MDF 4 file's blocks say about its data: the start of the measurement (HD), and for
 * each data group (DG) the size of its record ids, where its data is, and its channel groups
 * (CG) with their channels (CN, compositions flattened, names from their TX blocks).
 */

/** A channel: where its value sits in a record, its type and its conversion. */
export interface Mf4Channel {
  /** Its name; a composition's member is `parent.member` unless its own name has a dot. */
  name: string;
  /** 0 fixed-length data, 1 variable-length (VLSD: the record holds an offset into `signalData`), 2/3 master, ... */
  channelType: number;
  /** 1 time (for a master channel). */
  syncType: number;
  /** 0/1 unsigned LE/BE, 2/3 signed, 4/5 float, 10 byte array, ... */
  dataType: number;
  byteOffset: number;
  bitOffset: number;
  bitCount: number;
  /** A linear conversion (`p1 + p2 * raw`), or undefined for none; `unsupported` names another kind. */
  linear?: { p1: number; p2: number };
  unsupported?: string;
  /** Link to the signal data of a VLSD channel: an SD, DT, DZ, DL or HL block, or a VLSD channel group's CG block. */
  signalData: number;
}

/** A channel group: the records of one kind in its data group. */
export interface Mf4ChannelGroup {
  /** Where its CG block is (a VLSD channel's link to the group that holds its values points here). */
  address: number;
  recordId: number;
  /** Bytes of a record's data and of its invalidation bits. */
  dataBytes: number;
  invalBytes: number;
  /** A VLSD channel group (MDF 4.1 and later: its records are a length and that many bytes, the values of a VLSD channel whose link points here). */
  vlsd: boolean;
  channels: Mf4Channel[];
}

export interface Mf4DataGroup {
  /** 0 (one channel group, records without ids), 1, 2, 4 or 8. */
  recordIdSize: number;
  data: number;
  groups: Mf4ChannelGroup[];
}

export interface Mf4Layout {
  /** MDF version (410, 411, 420...). */
  version: number;
  /** Epoch ms of the measurement's start; undefined when the header names none. */
  startMs?: number;
  dataGroups: Mf4DataGroup[];
}

/** The start in the header block: ns since 1970, UTC unless the "local time" flag says it is a wall-clock time (read in `zone`). */
function startOf(hd: Buffer, zone: string): number | undefined {
  const ns = hd.readBigUInt64LE(0);
  if (ns === 0n) return undefined;
  const ms = Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
  const localTime = (hd[12]! & 1) !== 0;
  if (!localTime) return ms;
  const at = new Date(Math.floor(ms));
  const wall = { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate(), hour: at.getUTCHours(), minute: at.getUTCMinutes(), second: at.getUTCSeconds(), millisecond: at.getUTCMilliseconds() };
  return wallTimeToEpochMs(wall, zone) + (ms - Math.floor(ms));
}

/** A CC block: none, linear, or the kind this reader does not apply. */
async function conversionOf(file: FileHandle, link: number): Promise<Pick<Mf4Channel, 'linear' | 'unsupported'>> {
  if (link === 0) return {};
  const cc = (await readBlock(file, link, ['CC'])).data;
  const type = cc[0]!;
  if (type === 0) return {};
  if (type === 1 && cc.length >= 40) return { linear: { p1: cc.readDoubleLE(24), p2: cc.readDoubleLE(32) } };
  return { unsupported: `a conversion of type ${type} (only identity and linear are read)` };
}

/** The channels from `link` on (a CN chain), members of compositions included, each block read once. */
async function channelsOf(file: FileHandle, link: number, prefix: string, seen: Set<number>): Promise<Mf4Channel[]> {
  const out: Mf4Channel[] = [];
  for (let at = link; at !== 0; ) {
    if (seen.has(at)) throw new Mf4FormatError(`the channels link back to the block at ${at}`);
    seen.add(at);
    const cn = await readBlock(file, at, ['CN']);
    const [next = 0, composition = 0, nameLink = 0, , conversion = 0, signalData = 0] = cn.links;
    const d = cn.data;
    if (d.length < 24) throw new Mf4FormatError(`CN block at ${at} too short`);
    const own = (await readText(file, nameLink)) ?? '';
    const name = prefix !== '' && !own.includes('.') ? `${prefix}.${own}` : own;
    out.push({
      name,
      channelType: d[0]!,
      syncType: d[1]!,
      dataType: d[2]!,
      bitOffset: d[3]!,
      byteOffset: d.readUInt32LE(4),
      bitCount: d.readUInt32LE(8),
      signalData,
      ...(await conversionOf(file, conversion)),
    });
    // A structure's members (a CA array block is not followed: buses do not use arrays).
    if (composition !== 0 && (await readBlock(file, composition, ['CN', 'CA'], false)).type === 'CN') out.push(...(await channelsOf(file, composition, name, seen)));
    at = next;
  }
  return out;
}

/** Reads the layout of an MDF 4 file whose identification block has been checked. */
export async function readLayout(file: FileHandle, id: Buffer, zone: string): Promise<Mf4Layout> {
  const version = id.readUInt16LE(28);
  const hd = await readBlock(file, ID_BLOCK_SIZE, ['HD']);
  if (hd.data.length < 16) throw new Mf4FormatError('HD block too short');
  const startMs = startOf(hd.data, zone);
  const dataGroups: Mf4DataGroup[] = [];
  const seen = new Set<number>();
  for (let at = hd.links[0] ?? 0; at !== 0; ) {
    if (seen.has(at)) throw new Mf4FormatError(`the data groups link back to the block at ${at}`);
    seen.add(at);
    const dg = await readBlock(file, at, ['DG']);
    const [next = 0, firstGroup = 0, data = 0] = dg.links;
    const groups: Mf4ChannelGroup[] = [];
    for (let g = firstGroup; g !== 0; ) {
      if (seen.has(g)) throw new Mf4FormatError(`the channel groups link back to the block at ${g}`);
      seen.add(g);
      const cg = await readBlock(file, g, ['CG']);
      const d = cg.data;
      if (d.length < 32) throw new Mf4FormatError(`CG block at ${g} too short`);
      groups.push({
        address: g,
        recordId: Number(d.readBigUInt64LE(0)),
        vlsd: (d.readUInt16LE(16) & 1) !== 0,
        dataBytes: d.readUInt32LE(24),
        invalBytes: d.readUInt32LE(28),
        channels: await channelsOf(file, cg.links[1] ?? 0, '', seen),
      });
      g = cg.links[0] ?? 0;
    }
    dataGroups.push({ recordIdSize: dg.data[0] ?? 0, data, groups });
    at = next;
  }
  return { version, ...(startMs === undefined ? {} : { startMs }), dataGroups };
}
