import { CAN_FD_LENGTHS, MAX_EXTENDED_ID, NO_DATA, type CanFrame } from '../can-frame.js';
import type { CandumpLineResult } from '../candump-line.js';
import type { Mf4Channel, Mf4ChannelGroup } from './layout.js';
import { BYTE_ARRAY, isNumeric, numberReader, readBytes, readNumber } from './values.js';

/**
 * CAN frames out of the channel groups of ASAM's bus logging convention (what CANedge, Vector
 * and most loggers write to MDF 4): a group per frame kind, `CAN_DataFrame`, `CAN_RemoteFrame` or
 * `CAN_ErrorFrame`, whose channels (or a structure channel's members) are named
 * `CAN_DataFrame.ID`, `.IDE`, `.DLC`, `.DataLength`, `.DataBytes`, `.BusChannel`, `.EDL`, `.BRS`,
 * `.ESI`, beside the group's master channel: its time in seconds since the start.
 */

type Kind = 'DataFrame' | 'RemoteFrame' | 'ErrorFrame';
const FIELDS = ['ID', 'IDE', 'DLC', 'DataLength', 'DataBytes', 'BusChannel', 'EDL', 'BRS', 'ESI'] as const;
type Field = (typeof FIELDS)[number];
const NUMBER_FIELDS = ['ID', 'IDE', 'DLC', 'DataLength', 'BusChannel', 'EDL', 'BRS', 'ESI'] as const;

/** A field's number out of a record. */
type NumberOf = (record: Buffer) => number | undefined;

/** How one channel group's records become frames: its channels, and readers compiled for them. */
export interface FrameGroup {
  kind: Kind;
  time: Mf4Channel;
  fields: Partial<Record<Field, Mf4Channel>>;
  numbers: Partial<Record<Exclude<Field, 'DataBytes'>, NumberOf>>;
  seconds: NumberOf;
}

/**
 * The frame plan of a channel group, undefined for a group that holds no CAN frames, or the
 * reason a CAN group cannot be read (no time channel, a conversion this reader does not apply).
 */
export function frameGroupOf(group: Mf4ChannelGroup): FrameGroup | string | undefined {
  let kind: Kind | undefined;
  const fields: Partial<Record<Field, Mf4Channel>> = {};
  for (const c of group.channels) {
    // Some writers put the bus or a path before the name (`CAN1.CAN_DataFrame.ID`).
    const m = /(?:^|\.)CAN_(DataFrame|RemoteFrame|ErrorFrame)(?:\.(\w+))?$/.exec(c.name);
    if (!m) continue;
    kind ??= m[1] as Kind;
    const field = FIELDS.find((f) => f === m[2]);
    if (field) fields[field] = c;
  }
  if (kind === undefined) return undefined;
  const time = group.channels.find((c) => (c.channelType === 2 || c.channelType === 3) && c.syncType === 1);
  if (!time || !isNumeric(time)) return `the CAN_${kind} group has no time channel this reader can read`;
  if (time.unsupported) return `the CAN_${kind} group's time channel has ${time.unsupported}`;
  if (kind !== 'ErrorFrame' && !fields.ID) return `the CAN_${kind} group has no ID channel`;
  for (const f of NUMBER_FIELDS) {
    const c = fields[f];
    if (c && !isNumeric(c)) return `CAN_${kind}.${f} is not a number (data type ${c.dataType})`;
  }
  const bytes = fields.DataBytes;
  if (bytes && bytes.dataType !== BYTE_ARRAY && bytes.channelType !== 1) return `CAN_${kind}.DataBytes is not a byte array (data type ${bytes.dataType})`;
  const numbers: FrameGroup['numbers'] = {};
  for (const f of NUMBER_FIELDS) {
    const c = fields[f];
    if (c) numbers[f] = numberReader(c);
  }
  const raw = numberReader(time);
  const linear = time.linear;
  const seconds: NumberOf = linear === undefined ? raw : (r) => {
    const x = raw(r);
    return x === undefined ? undefined : linear.p1 + linear.p2 * x;
  };
  return { kind, time, fields, numbers, seconds };
}

/**
 * The frame one record holds at `timestampMs`. `signalData` gives the bytes of a variable-length
 * DataBytes channel at the offset its record holds.
 */
export function frameOfRecord(plan: FrameGroup, record: Buffer, timestampMs: number, signalData: (offset: number) => Buffer | undefined): CandumpLineResult {
  const n = plan.numbers;
  const frame: CanFrame = { id: 0, extended: false, fd: false, data: NO_DATA, timestampMs, timestampSource: 'log' };
  const bus = n.BusChannel?.(record);
  if (bus !== undefined) frame.interface = String(bus);
  const rawId = n.ID?.(record);
  if (rawId !== undefined) {
    // Some writers set bit 31 of the id for an extended one, beside or instead of IDE.
    const flagged = rawId >= 0x80000000;
    const id = flagged ? rawId - 0x80000000 : rawId;
    if (id > MAX_EXTENDED_ID) return { ok: false, kind: 'malformed', message: `id 0x${rawId.toString(16).toUpperCase()} is over 0x1FFFFFFF` };
    frame.id = id;
    frame.extended = flagged || n.IDE?.(record) === 1 || id > 0x7ff;
  }
  if (plan.kind === 'ErrorFrame') {
    frame.error = true;
    return { ok: true, frame };
  }
  if (plan.kind === 'RemoteFrame') {
    frame.rtr = true;
    return { ok: true, frame };
  }
  const fd = n.EDL?.(record) === 1;
  const dlc = n.DLC?.(record);
  const length = n.DataLength?.(record) ?? (dlc === undefined ? undefined : fd ? CAN_FD_LENGTHS[dlc & 15] : Math.min(dlc, 8));
  const c = plan.fields.DataBytes;
  const bytes = c === undefined ? undefined : c.channelType === 1 ? vlsdBytes(record, c, signalData) : readBytes(record, c);
  if (bytes === undefined) return c === undefined ? { ok: true, frame } : { ok: false, kind: 'malformed', message: 'a record whose DataBytes cannot be read' };
  const take = Math.min(length ?? bytes.length, bytes.length, fd ? 64 : 8);
  const data = new Uint8Array(take);
  for (let i = 0; i < take; i++) data[i] = bytes[i]!;
  frame.data = data;
  if (fd) {
    frame.fd = true;
    frame.brs = n.BRS?.(record) === 1;
    frame.esi = n.ESI?.(record) === 1;
  }
  return { ok: true, frame };
}

/** A VLSD channel's value: its record holds the offset of a length-prefixed entry in the signal data. */
function vlsdBytes(record: Buffer, c: Mf4Channel, signalData: (offset: number) => Buffer | undefined): Buffer | undefined {
  const offset = readNumber(record, { ...c, dataType: 0 });
  return offset === undefined ? undefined : signalData(offset);
}
