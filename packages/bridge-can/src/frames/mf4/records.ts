import type { Mf4ChannelGroup, Mf4DataGroup } from './layout.js';

/** A record longer than this is damage (a bus frame's record is under a hundred bytes). */
const MAX_RECORD = 16 * 1024 * 1024;

/** One record of a data group: its channel group and its bytes (a view, valid until the next piece). */
export interface GroupRecord {
  group: Mf4ChannelGroup;
  record: Buffer;
}

/**
 * Splits a data group's bytes, given in pieces, into records: each a record id (none when the
 * group has one channel group), then the channel group's bytes (a VLSD group's: a length and that
 * many). A record may run on into the next piece. An id no channel group has, or a record of no
 * bytes or over 16 MiB, ends the data group with a problem: nothing after it can be placed.
 */
export class RecordSplitter {
  /** True once a problem ended the data group. */
  ended = false;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of the data group's records before `pending`. */
  private before = 0;
  private readonly byId: Map<number, Mf4ChannelGroup>;
  private readonly only: Mf4ChannelGroup | undefined;

  /** A splitter for `dg`, or the reason its records cannot be told apart. */
  static for(dg: Mf4DataGroup): RecordSplitter | string {
    if (![0, 1, 2, 4, 8].includes(dg.recordIdSize)) return `record ids of ${dg.recordIdSize} bytes`;
    if (dg.recordIdSize === 0 && dg.groups.length !== 1) return `a data group without record ids holds ${dg.groups.length} channel groups`;
    return new RecordSplitter(dg);
  }

  private constructor(private readonly dg: Mf4DataGroup) {
    this.byId = new Map(dg.groups.map((g) => [g.recordId, g]));
    this.only = dg.recordIdSize === 0 ? dg.groups[0] : undefined;
  }

  /** The records `piece` completes, in order, or a problem that ends the data group. */
  *push(piece: Buffer): Generator<GroupRecord | string> {
    if (this.ended) return;
    const buffer = this.pending.length > 0 ? Buffer.concat([this.pending, piece]) : piece;
    const idSize = this.dg.recordIdSize;
    let at = 0;
    for (;;) {
      if (buffer.length - at < Math.max(idSize, 1)) break;
      const id = idSize === 0 ? 0 : idSize === 1 ? buffer[at]! : idSize === 2 ? buffer.readUInt16LE(at) : idSize === 4 ? buffer.readUInt32LE(at) : Number(buffer.readBigUInt64LE(at));
      const group = this.only ?? this.byId.get(id);
      if (!group) {
        this.ended = true;
        yield `record id ${id} at byte ${this.before + at} of a data group's records is none of its channel groups: the rest of the data group cannot be read`;
        return;
      }
      let size: number;
      let body = at + idSize;
      if (group.vlsd) {
        if (buffer.length - body < 4) break;
        size = buffer.readUInt32LE(body);
        body += 4;
      } else size = group.dataBytes + group.invalBytes;
      if (size > MAX_RECORD || body + size === at) {
        this.ended = true;
        yield `a record of ${size} bytes at byte ${this.before + at} of a data group's records: the rest of the data group cannot be read`;
        return;
      }
      if (buffer.length - body < size) break;
      yield { group, record: buffer.subarray(body, body + size) };
      at = body + size;
    }
    // What runs on into the next piece is copied, so that this piece can go.
    this.pending = Buffer.from(buffer.subarray(at));
    this.before += at;
  }

  /** A problem when the data ended inside a record. */
  finish(): string | undefined {
    return !this.ended && this.pending.length > 0 ? `the data group ends inside a record (${this.pending.length} bytes left)` : undefined;
  }
}
