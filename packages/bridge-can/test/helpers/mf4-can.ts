import type { CanFrame } from '../../src/frames/can-frame.js';
import { cgData, cnData, dgData, dlData, dzData, hdData, linearCc, Mf4Builder, type Ref } from './mf4-bytes.js';

/**
 * MDF 4 files of CAN frames in ASAM's bus logging convention, laid out here byte by byte in the
 * variants writers use, for bridge-can's MDF reader to be checked against (and for mf4-rs, an
 * independent reader, to read the same values from):
 *
 *   record of CAN_DataFrame: time (f64 s, or u64 µs with a linear conversion) | BusChannel u8 |
 *   ID bits 0-28 and IDE bit 29 of a u32 | DLC 4 bits | DataLength 7 bits | Dir, EDL, BRS, ESI
 *   bits | DataBytes: 64 bytes, or a u64 offset into signal data (VLSD)
 *
 * A VLSD channel group's records (id 5) are a u32 length and that many bytes; a frame's DataBytes
 * offset counts the group's bytes before its value, lengths included (as mdflib writes them:
 * each value just before the record that points at it; the CG's data and invalidation byte
 * counts hold the low and high 32 bits of the group's total size).
 *
 * CAN_RemoteFrame and CAN_ErrorFrame records stop before DataBytes. `unsorted` files keep every
 * group in one data group with 1-byte record ids, with a GPS group among them (not CAN: skipped);
 * `sorted` ones a data group each.
 */
export interface CanMf4Options {
  startNs: bigint;
  /** The start is a local wall-clock time (HD time flag), not UTC. */
  localTime?: boolean;
  /** Members of a `CAN_DataFrame` structure channel, or channels of their own. */
  layout?: 'structure' | 'flat';
  /** In the record; in signal data (an SD block); or in a VLSD channel group, each frame's value just before its record (unsorted files). */
  dataBytes?: 'fixed' | 'vlsd' | 'vlsd-group';
  /** A DT block; a DZ (deflated, transposed or not); a DL of three DT blocks, cut mid-record or between records, or a chain of three DLs. */
  storage?: 'dt' | 'dz' | 'dz-transposed' | 'dl' | 'dl-whole-records' | 'dl-chain';
  groups?: 'unsorted' | 'sorted';
  time?: 'f64' | 'u64-linear';
  /** GPS records between the frames (unsorted files). Default true. */
  gps?: boolean;
}

type Kind = 'DataFrame' | 'RemoteFrame' | 'ErrorFrame';
const KINDS: Kind[] = ['DataFrame', 'RemoteFrame', 'ErrorFrame'];
const RECORD_ID: Record<Kind | 'GPS' | 'VLSD', number> = { DataFrame: 1, RemoteFrame: 2, ErrorFrame: 3, GPS: 4, VLSD: 5 };

/** DataBytes held outside the record, the record holding their offset. */
const variable = (o: CanMf4Options): boolean => o.dataBytes === 'vlsd' || o.dataBytes === 'vlsd-group';

const kindOf = (f: CanFrame): Kind => (f.error ? 'ErrorFrame' : f.rtr ? 'RemoteFrame' : 'DataFrame');

/** A frame's record (after its id); `vlsd` receives DataBytes and gives their offset. */
function recordOf(f: CanFrame, startMs: number, o: CanMf4Options, vlsd: (data: Uint8Array) => number): Buffer {
  const kind = kindOf(f);
  const size = kind === 'DataFrame' ? (variable(o) ? 24 : 80) : 16;
  const r = Buffer.alloc(size);
  const seconds = (f.timestampMs - startMs) / 1000;
  if (o.time === 'u64-linear') r.writeBigUInt64LE(BigInt(Math.round(seconds * 1e6)), 0);
  else r.writeDoubleLE(seconds, 0);
  r[8] = Number(f.interface ?? 1);
  r.writeUInt32LE((f.id | (f.extended ? 1 << 29 : 0)) >>> 0, 9);
  const length = f.data.length;
  const dlc = length <= 8 ? length : [12, 16, 20, 24, 32, 48, 64].indexOf(length) + 9;
  r[13] = dlc;
  r[14] = length;
  r[15] = (f.fd ? 2 : 0) | (f.brs ? 4 : 0) | (f.esi ? 8 : 0);
  if (kind === 'DataFrame') {
    if (variable(o)) r.writeBigUInt64LE(BigInt(vlsd(f.data)), 16);
    else Buffer.from(f.data).copy(r, 16);
  }
  return r;
}

/** The channels of a group of `kind`, as CN blocks (the first is the time channel). */
function channels(b: Mf4Builder, kind: Kind, o: CanMf4Options, signalData: Ref | 0): Ref {
  // signalData: an SD block, or the VLSD channel group.
  const name = `CAN_${kind}`;
  const cn = (label: string, data: Buffer, next: Ref | 0, extra: { composition?: Ref; cc?: Ref; data?: Ref | 0 } = {}): Ref =>
    b.add('CN', [next, extra.composition ?? 0, b.text(label), 0, extra.cc ?? 0, extra.data ?? 0, 0, 0], data);
  const members: [string, Buffer, Ref | 0][] = [
    ['BusChannel', cnData({ dataType: 0, byteOffset: 8, bitCount: 8 }), 0],
    ['ID', cnData({ dataType: 0, byteOffset: 9, bitCount: 29 }), 0],
    ['IDE', cnData({ dataType: 0, byteOffset: 12, bitOffset: 5, bitCount: 1 }), 0],
    ['DLC', cnData({ dataType: 0, byteOffset: 13, bitCount: 4 }), 0],
    ['DataLength', cnData({ dataType: 0, byteOffset: 14, bitCount: 7 }), 0],
    ['Dir', cnData({ dataType: 0, byteOffset: 15, bitCount: 1 }), 0],
    ['EDL', cnData({ dataType: 0, byteOffset: 15, bitOffset: 1, bitCount: 1 }), 0],
    ['BRS', cnData({ dataType: 0, byteOffset: 15, bitOffset: 2, bitCount: 1 }), 0],
    ['ESI', cnData({ dataType: 0, byteOffset: 15, bitOffset: 3, bitCount: 1 }), 0],
  ];
  if (kind === 'DataFrame') {
    members.push(variable(o) ? ['DataBytes', cnData({ channelType: 1, dataType: 10, byteOffset: 16, bitCount: 64 }), signalData] : ['DataBytes', cnData({ dataType: 10, byteOffset: 16, bitCount: 64 * 8 }), 0]);
  }
  // Built from the last to the first, each linking to the next.
  let next: Ref | 0 = 0;
  for (const [label, data, sd] of [...members].reverse()) next = cn(`${name}.${label}`, data, next, { data: sd });
  const top = o.layout === 'flat' ? next : cn(name, cnData({ dataType: 10, byteOffset: 8, bitCount: (kind === 'DataFrame' ? (variable(o) ? 16 : 72) : 8) * 8 }), 0, { composition: next as Ref });
  const time = o.time === 'u64-linear' ? cnData({ channelType: 2, syncType: 1, dataType: 0, byteOffset: 0, bitCount: 64 }) : cnData({ channelType: 2, syncType: 1, dataType: 4, byteOffset: 0, bitCount: 64 });
  return cn('Timestamp', time, top, o.time === 'u64-linear' ? { cc: b.add('CC', [0, 0, 0, 0], linearCc(0, 1e-6)) } : {});
}

/** The data of a data group as the options store it (`starts`: where its records start, for cuts between them). */
function storeData(b: Mf4Builder, data: Buffer, o: CanMf4Options, recordSize: number, starts: number[]): Ref | 0 {
  if (data.length === 0) return 0;
  switch (o.storage ?? 'dt') {
    case 'dz':
      return b.add('DZ', [], dzData(data));
    case 'dz-transposed':
      return b.add('DZ', [], dzData(data, recordSize));
    case 'dl':
    case 'dl-chain':
    case 'dl-whole-records': {
      const third = (n: number): number => (o.storage === 'dl-whole-records' ? (starts[Math.floor((n * starts.length) / 3)] ?? data.length) : Math.floor((n * data.length) / 3) + n);
      const cuts = [0, third(1), third(2), data.length];
      const parts = [0, 1, 2].map((i) => b.add('DT', [], data.subarray(cuts[i], cuts[i + 1])));
      if (o.storage !== 'dl-chain') return b.add('DL', [0, ...parts], dlData(cuts.slice(0, 3)));
      // Three lists of one block each, each linking to the next.
      let next: Ref | 0 = 0;
      for (let i = 2; i >= 0; i--) next = b.add('DL', [next, parts[i]!], dlData([cuts[i]!]));
      return next;
    }
    default:
      return b.add('DT', [], data);
  }
}

/** An MDF 4 file of `frames` (each kind in its group), their times from `startNs` on. */
export function canMf4(frames: readonly CanFrame[], o: CanMf4Options): Buffer {
  const b = new Mf4Builder();
  const startMs = Number(o.startNs / 1_000_000n);
  // The header comes first; its link to the first data group is set once that exists.
  const hdLinks: (Ref | 0)[] = [0, 0, 0, 0, 0, 0];
  b.add('HD', hdLinks, hdData(o.startNs, o.localTime));
  if (o.dataBytes === 'vlsd-group' && o.groups === 'sorted') throw new Error('a VLSD channel group shares its data group with the frames');
  const sd: Buffer[] = [];
  let sdSize = 0;
  const vlsd = (data: Uint8Array): number => {
    const entry = Buffer.alloc(4 + data.length);
    entry.writeUInt32LE(data.length, 0);
    Buffer.from(data).copy(entry, 4);
    sd.push(entry);
    sdSize += entry.length;
    return sdSize - entry.length;
  };
  const records = frames.map((f) => ({ kind: kindOf(f), record: recordOf(f, startMs, o, vlsd) }));
  const gps = (o.gps ?? true) && o.groups !== 'sorted';
  // Signal data (an SD block, or the VLSD channel group) are added before the groups that point at them.
  const vlsdGroup = o.dataBytes === 'vlsd-group' ? b.add('CG', [0, 0, 0, 0, 0, 0], cgData({ recordId: RECORD_ID.VLSD, records: sd.length, dataBytes: sdSize % 2 ** 32, invalBytes: Math.floor(sdSize / 2 ** 32), flags: 1 })) : 0;
  const signalData: Ref | 0 = o.dataBytes === 'vlsd' ? b.add('SD', [], Buffer.concat(sd)) : vlsdGroup;
  const count = (k: Kind) => records.filter((r) => r.kind === k).length;
  const cgOf = (kind: Kind, next: Ref | 0): Ref =>
    b.add('CG', [next, channels(b, kind, o, signalData), b.text(`CAN_${kind}`), 0, 0, 0], cgData({ recordId: RECORD_ID[kind], records: count(kind), dataBytes: kind === 'DataFrame' ? (variable(o) ? 24 : 80) : 16 }));
  const gpsCg = (next: Ref | 0): Ref => {
    const speed = b.add('CN', [0, 0, b.text('Speed'), 0, 0, 0, 0, 0], cnData({ dataType: 4, byteOffset: 8, bitCount: 64 }));
    const time = b.add('CN', [speed, 0, b.text('t'), 0, 0, 0, 0, 0], cnData({ channelType: 2, syncType: 1, dataType: 4, byteOffset: 0, bitCount: 64 }));
    return b.add('CG', [next, time, b.text('GPS'), 0, 0, 0], cgData({ recordId: RECORD_ID.GPS, records: frames.length, dataBytes: 16 }));
  };
  if (o.groups === 'sorted') {
    let next: Ref | 0 = 0;
    for (const kind of [...KINDS].reverse()) {
      const own = records.filter((r) => r.kind === kind).map((r) => r.record);
      next = b.add('DG', [next, cgOf(kind, 0), storeData(b, Buffer.concat(own), o, own[0]?.length ?? 1, startsOf(own)), 0], dgData(0));
    }
    hdLinks[0] = next;
    return b.bytes();
  }
  const parts: Buffer[] = [];
  let value = 0;
  records.forEach((r, i) => {
    if (vlsdGroup !== 0 && r.kind === 'DataFrame') parts.push(Buffer.concat([Buffer.from([RECORD_ID.VLSD]), sd[value++]!]));
    parts.push(Buffer.concat([Buffer.from([RECORD_ID[r.kind]]), r.record]));
    if (gps) {
      const g = Buffer.alloc(17);
      g[0] = RECORD_ID.GPS;
      g.writeDoubleLE(r.record.readDoubleLE(0), 1);
      g.writeDoubleLE(i * 0.5, 9);
      parts.push(g);
    }
  });
  let cg: Ref | 0 = gps ? gpsCg(vlsdGroup) : vlsdGroup;
  for (const kind of [...KINDS].reverse()) cg = cgOf(kind, cg);
  const data = Buffer.concat(parts);
  // The data block last, as loggers write it (a file cut short loses records, not its structure).
  // Transposed in columns of a data frame's record with its id (the others are shorter: any width untransposes).
  const dgLinks: (Ref | 0)[] = [0, cg as Ref, 0, 0];
  hdLinks[0] = b.add('DG', dgLinks, dgData(1));
  dgLinks[2] = storeData(b, data, o, 81, startsOf(parts));
  return b.bytes();
}

/** Where each of `parts`, laid end to end, starts. */
function startsOf(parts: Buffer[]): number[] {
  let at = 0;
  return parts.map((p) => ((at += p.length), at - p.length));
}
