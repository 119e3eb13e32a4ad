import { deflateSync } from 'node:zlib';

/**
 * ASAM MDF 4 files laid out block by block, for the reader's tests: the identification block,
 * then blocks at 8-byte aligned offsets, each `##XX`, 4 reserved bytes, its length (u64), its
 * number of links (u64), the links (u64 file offsets) and its data. Links may name blocks added
 * later; offsets are given when the file is written.
 */

/** A block, once placed: its offset. */
export interface Ref {
  offset: number;
}

interface Pending {
  type: string;
  links: (Ref | 0)[];
  data: Buffer;
  ref: Ref;
}

export class Mf4Builder {
  private readonly blocks: Pending[] = [];

  add(type: string, links: (Ref | 0)[], data: Buffer): Ref {
    const ref = { offset: 0 };
    this.blocks.push({ type, links, data, ref });
    return ref;
  }

  /** A TX block holding `text`, zero-terminated. */
  text(text: string): Ref {
    return this.add('TX', [], Buffer.from(`${text}\0`, 'utf8'));
  }

  /** The file: the identification block (`version`, unfinished or not), then the blocks in the order added. */
  bytes(options: { version?: number; unfinished?: boolean } = {}): Buffer {
    let at = 64;
    for (const b of this.blocks) {
      b.ref.offset = at;
      at += align(24 + 8 * b.links.length + b.data.length);
    }
    const out = Buffer.alloc(at);
    out.write(options.unfinished ? 'UnFinMF ' : 'MDF     ', 0, 'latin1');
    out.write(`${((options.version ?? 410) / 100).toFixed(2)}    `, 8, 'latin1');
    out.write('fbtest  ', 16, 'latin1');
    out.writeUInt16LE(options.version ?? 410, 28);
    for (const b of this.blocks) {
      const o = b.ref.offset;
      out.write(`##${b.type}`, o, 'latin1');
      out.writeBigUInt64LE(BigInt(24 + 8 * b.links.length + b.data.length), o + 8);
      out.writeBigUInt64LE(BigInt(b.links.length), o + 16);
      b.links.forEach((l, i) => out.writeBigUInt64LE(BigInt(l === 0 ? 0 : l.offset), o + 24 + 8 * i));
      b.data.copy(out, o + 24 + 8 * b.links.length);
    }
    return out;
  }
}

const align = (n: number): number => Math.ceil(n / 8) * 8;

/** HD data: the start in ns since 1970, and whether it is a local (wall-clock) time. */
export function hdData(startNs: bigint, localTime = false): Buffer {
  const d = Buffer.alloc(32);
  d.writeBigUInt64LE(startNs, 0);
  d[12] = (localTime ? 1 : 0) | 2;
  return d;
}

/** DG data: the record id size. */
export function dgData(recordIdSize: number): Buffer {
  const d = Buffer.alloc(8);
  d[0] = recordIdSize;
  return d;
}

/** CG data: record id, records, flags (1: VLSD), data bytes, invalidation bytes. */
export function cgData(o: { recordId: number; records: number; dataBytes: number; invalBytes?: number; flags?: number }): Buffer {
  const d = Buffer.alloc(32);
  d.writeBigUInt64LE(BigInt(o.recordId), 0);
  d.writeBigUInt64LE(BigInt(o.records), 8);
  d.writeUInt16LE(o.flags ?? 0, 16);
  d.writeUInt32LE(o.dataBytes, 24);
  d.writeUInt32LE(o.invalBytes ?? 0, 28);
  return d;
}

/** CN data: type (0 data, 1 VLSD, 2 master), sync (1 time), data type, bit offset, byte offset, bit count. */
export function cnData(o: { channelType?: number; syncType?: number; dataType: number; bitOffset?: number; byteOffset: number; bitCount: number }): Buffer {
  const d = Buffer.alloc(72);
  d[0] = o.channelType ?? 0;
  d[1] = o.syncType ?? 0;
  d[2] = o.dataType;
  d[3] = o.bitOffset ?? 0;
  d.writeUInt32LE(o.byteOffset, 4);
  d.writeUInt32LE(o.bitCount, 8);
  return d;
}

/** CC data: a linear conversion, physical = p1 + p2 * raw. */
export function linearCc(p1: number, p2: number): Buffer {
  const d = Buffer.alloc(40);
  d[0] = 1;
  d.writeUInt16LE(2, 6);
  d.writeDoubleLE(p1, 24);
  d.writeDoubleLE(p2, 32);
  return d;
}

/** DZ data: `data` deflated (zlib), transposed first in `columns` columns when given. */
export function dzData(data: Buffer, columns?: number): Buffer {
  let source = data;
  if (columns) {
    const rows = Math.floor(data.length / columns);
    source = Buffer.from(data);
    for (let c = 0; c < columns; c++) for (let r = 0; r < rows; r++) source[c * rows + r] = data[r * columns + c]!;
  }
  const zipped = deflateSync(source);
  const d = Buffer.alloc(24 + zipped.length);
  d.write('DT', 0, 'latin1');
  d[2] = columns ? 1 : 0;
  d.writeUInt32LE(columns ?? 0, 4);
  d.writeBigUInt64LE(BigInt(data.length), 8);
  d.writeBigUInt64LE(BigInt(zipped.length), 16);
  zipped.copy(d, 24);
  return d;
}

/** DL data: equal-length flag off, `count` blocks at the given offsets in the data. */
export function dlData(offsets: number[]): Buffer {
  const d = Buffer.alloc(8 + 8 * offsets.length);
  d.writeUInt32LE(offsets.length, 4);
  offsets.forEach((o, i) => d.writeBigUInt64LE(BigInt(o), 8 + 8 * i));
  return d;
}
