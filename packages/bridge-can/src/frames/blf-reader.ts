import { inflateSync } from 'node:zlib';
import { MAX_EXTENDED_ID, MAX_STANDARD_ID, NO_DATA, type CanFrame } from './can-frame.js';
import type { CandumpLineResult } from './candump-line.js';
import { wallTimeToEpochMs } from '@fieldbridge/core/bridge';

/**
 * Reads a Vector BLF log (the binary logging format of CANalyzer and CANoe), streaming: a file
 * header ("LOGG", the measurement's start as a wall-clock SYSTEMTIME), then objects ("LOBJ"),
 * most of them log containers holding zlib-compressed objects, which may run on into the next
 * container. CAN frames (CAN_MESSAGE, CAN_MESSAGE2), CAN FD frames (CAN_FD_MESSAGE,
 * CAN_FD_MESSAGE_64) and CAN error frames (CAN_ERROR_EXT) become frames at the start time plus
 * their offset (10 µs or 1 ns units); every other object (markers, statistics, other buses) is
 * skipped. Damage is reported as a record `{ ok: false }` and the reader looks for the next
 * object; it never throws on what the file holds.
 */

/** Options of {@link readBlfRecords}. */
export interface BlfReaderOptions {
  /** The zone of the file's start time (see `isTimeZone`). Default `local`. */
  timeZone?: string;
  /** Refuse frames when the file names no start time (their times count from 0). Default false. */
  requireDate?: boolean;
}

/** "LOGG": the first four bytes of a BLF file. */
export const BLF_SIGNATURE = Uint8Array.from([0x4c, 0x4f, 0x47, 0x47]);

const LOBJ = Buffer.from('LOBJ', 'latin1');
const OBJECT_BASE = 16;
/** An object or a container larger than this is damage, not data (Vector's containers hold 128 KiB). */
const MAX_OBJECT = 4 * 1024 * 1024;

const CAN_MESSAGE = 1;
const LOG_CONTAINER = 10;
const CAN_ERROR_EXT = 73;
const CAN_MESSAGE2 = 86;
const CAN_FD_MESSAGE = 100;
const CAN_FD_MESSAGE_64 = 101;
const CAN_MSG_EXT = 0x80000000;
const REMOTE_FLAG = 0x80;
const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

const malformed = (message: string): CandumpLineResult => ({ ok: false, kind: 'malformed', message });

/** The file header's start time (SYSTEMTIME at byte 40: year, month, weekday, day, h, m, s, ms), or undefined when unset. */
function startTime(header: Buffer, zone: string): number | undefined {
  if (header.length < 56) return undefined;
  const field = (i: number): number => header.readUInt16LE(40 + 2 * i);
  const [year, month, , day, hour, minute, second, millisecond] = [0, 1, 2, 3, 4, 5, 6, 7].map(field) as [number, number, number, number, number, number, number, number];
  if (year < 1980 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || millisecond > 999) return undefined;
  return wallTimeToEpochMs({ year, month, day, hour, minute, second, millisecond }, zone);
}

/**
 * Splits bytes that arrive in pieces (a file's chunks, or the contents of one container after
 * another) into whole BLF objects. Objects are padded to four bytes; more than that between two
 * objects is damage, reported once with its size, and the search goes on from the next "LOBJ".
 */
class ObjectSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private skipped = 0;

  constructor(private readonly where: string) {}

  /** The whole objects `bytes` completes, in order, and a problem for each run of bytes that is none. */
  *push(bytes: Buffer): Generator<Buffer | CandumpLineResult> {
    let buffer = this.pending.length > 0 ? Buffer.concat([this.pending, bytes]) : bytes;
    for (;;) {
      const found = buffer.indexOf(LOBJ);
      if (found < 0) {
        // Keep what could be the start of a signature.
        const keep = Math.min(buffer.length, 3);
        this.skipped += buffer.length - keep;
        buffer = buffer.subarray(buffer.length - keep);
        break;
      }
      if (this.skipped + found > 3) yield malformed(`${this.skipped + found} bytes ${this.where} skipped: not a BLF object`);
      this.skipped = 0;
      buffer = buffer.subarray(found);
      if (buffer.length < OBJECT_BASE) break;
      const headerSize = buffer.readUInt16LE(4);
      const size = buffer.readUInt32LE(8);
      if (size < OBJECT_BASE || size > MAX_OBJECT || headerSize < OBJECT_BASE || headerSize > size) {
        yield malformed(`BLF object of ${size} bytes with a ${headerSize}-byte header`);
        buffer = buffer.subarray(4);
        continue;
      }
      if (buffer.length < size) break;
      yield buffer.subarray(0, size);
      buffer = buffer.subarray(size);
    }
    // An object not yet whole waits for the next piece; copied, so the piece it came in can go.
    this.pending = Buffer.from(buffer);
  }

  /** True when bytes beyond padding are left over: an object cut short. */
  cutShort(): boolean {
    return this.pending.length > 3;
  }
}

/** A copy of `length` bytes of `o` from `at` (frames outlive the container they were read from). */
function copyBytes(o: Buffer, at: number, length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = o[at + i]!;
  return data;
}

/**
 * The frame one object holds, a problem, or undefined for an object that is not a CAN frame.
 * Fields are read from the object at its body's offset (`b`), without views of it.
 */
function frameOf(o: Buffer, startMs: number | undefined, requireDate: boolean): CandumpLineResult | undefined {
  const type = o.readUInt32LE(12);
  if (type !== CAN_MESSAGE && type !== CAN_MESSAGE2 && type !== CAN_FD_MESSAGE && type !== CAN_FD_MESSAGE_64 && type !== CAN_ERROR_EXT) return undefined;
  const b = o.readUInt16LE(4);
  if (b < 32) return malformed(`BLF object of type ${type} with a ${b}-byte header, too short for its time`);
  if (startMs === undefined && requireDate) {
    return { ok: false, kind: 'unsupported', message: 'the BLF file names no start time: its times count from 0 (replay.timestamps: replay moves such a log onto the clock)' };
  }
  // Object header versions 1 and 2 both hold the flags at 16 and the time at 24 (a u64, read as two halves).
  const units = o.readUInt32LE(16) === 1 ? 0.01 : 0.000001;
  const offsetMs = (o.readUInt32LE(24) + o.readUInt32LE(28) * 0x1_0000_0000) * units;
  const bodyLength = o.length - b;
  const frame: CanFrame = { id: 0, extended: false, fd: false, data: NO_DATA, timestampMs: (startMs ?? 0) + offsetMs, timestampSource: 'log' };
  if (type === CAN_FD_MESSAGE_64) return fd64(o, b, frame);
  if (bodyLength < 16) return malformed(`BLF object of type ${type} holds ${bodyLength} bytes, too short for a CAN frame`);
  frame.interface = String(o.readUInt16LE(b));
  if (type === CAN_ERROR_EXT) {
    frame.error = true;
    return { ok: true, frame };
  }
  const flags = o[b + 2]!;
  const dlc = o[b + 3]!;
  const id = readId(o.readUInt32LE(b + 4), frame);
  if (id) return id;
  if (type === CAN_FD_MESSAGE) return fd(o, b, frame, flags, dlc);
  if (flags & REMOTE_FLAG) frame.rtr = true;
  else frame.data = copyBytes(o, b + 8, Math.min(dlc, 8));
  return { ok: true, frame };
}

/** Sets the frame's id from BLF's (bit 31: extended); a problem when it is too wide. */
function readId(raw: number, frame: CanFrame): CandumpLineResult | undefined {
  const extended = (raw & CAN_MSG_EXT) !== 0;
  const id = raw & 0x7fffffff;
  if (id > (extended ? MAX_EXTENDED_ID : MAX_STANDARD_ID)) return malformed(`${extended ? 'extended' : 'standard'} id 0x${id.toString(16).toUpperCase()} is too wide`);
  frame.id = id;
  frame.extended = extended;
  return undefined;
}

/** CAN_FD_MESSAGE (body at `b`): channel, flags, dlc, id, frame length, bit count, FD flags (EDL, BRS, ESI), valid bytes, 5 spare, 64 data. */
function fd(o: Buffer, b: number, frame: CanFrame, flags: number, dlc: number): CandumpLineResult {
  const bodyLength = o.length - b;
  if (bodyLength < 20) return malformed(`CAN FD object holds ${bodyLength} bytes, too short`);
  const fdFlags = o[b + 13]!;
  const valid = o[b + 14]!;
  const length = fdFlags & 1 ? Math.min(valid, FD_LENGTHS[dlc & 15] ?? 64) : Math.min(valid, dlc, 8);
  if (bodyLength < 20 + length) return malformed(`CAN FD object announces ${length} data bytes and holds ${Math.max(0, bodyLength - 20)}`);
  frame.fd = (fdFlags & 1) !== 0;
  if (frame.fd) {
    frame.brs = (fdFlags & 2) !== 0;
    frame.esi = (fdFlags & 4) !== 0;
  }
  if (!frame.fd && flags & REMOTE_FLAG) frame.rtr = true;
  else frame.data = copyBytes(o, b + 20, length);
  return { ok: true, frame };
}

/** CAN_FD_MESSAGE_64 (body at `b`): channel (u8), dlc, valid bytes, tx count, id, frame length, flags (EDL 0x1000, BRS 0x2000, ESI 0x4000, remote 0x10), ... 40 bytes, then the data. */
function fd64(o: Buffer, b: number, frame: CanFrame): CandumpLineResult {
  const bodyLength = o.length - b;
  if (bodyLength < 40) return malformed(`CAN FD object holds ${bodyLength} bytes, too short`);
  frame.interface = String(o[b]!);
  const dlc = o[b + 1]!;
  const valid = o[b + 2]!;
  const problem = readId(o.readUInt32LE(b + 4), frame);
  if (problem) return problem;
  const flags = o.readUInt32LE(b + 12);
  frame.fd = (flags & 0x1000) !== 0;
  const length = Math.min(valid, frame.fd ? (FD_LENGTHS[dlc & 15] ?? 64) : Math.min(dlc, 8));
  if (bodyLength < 40 + length) return malformed(`CAN FD object announces ${length} data bytes and holds ${Math.max(0, bodyLength - 40)}`);
  if (frame.fd) {
    frame.brs = (flags & 0x2000) !== 0;
    frame.esi = (flags & 0x4000) !== 0;
  }
  if (!frame.fd && flags & 0x10) frame.rtr = true;
  else frame.data = copyBytes(o, b + 40, length);
  return { ok: true, frame };
}

/** A container's contents: stored, or zlib-deflated (bounded by the size it announces). */
function unpack(container: Buffer): Buffer | string {
  const headerSize = container.readUInt16LE(4);
  const info = container.subarray(headerSize);
  if (info.length < 16) return `log container of ${container.length} bytes, too short`;
  const method = info.readUInt16LE(0);
  const size = info.readUInt32LE(8);
  const data = info.subarray(16);
  if (method === 0) return data;
  if (method !== 2) return `log container compressed with method ${method}, which this reader does not know (2 is zlib)`;
  if (size > MAX_OBJECT) return `log container announces ${size} bytes, more than ${MAX_OBJECT}`;
  try {
    return inflateSync(data, { maxOutputLength: Math.max(size, 1) });
  } catch (err) {
    return `log container that does not inflate: ${(err as Error).message}`;
  }
}

/**
 * The records of a BLF file given as chunks of bytes: one per object inside the containers (a
 * frame, a problem, or undefined), plus one problem per damaged container or run of stray bytes.
 * Throws nothing on what the bytes hold; a file that does not start with "LOGG" gives one problem
 * and ends.
 */
export async function* readBlfRecords(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: BlfReaderOptions = {}): AsyncGenerator<CandumpLineResult | undefined> {
  let head: Buffer = Buffer.alloc(0);
  let startMs: number | undefined;
  const requireDate = options.requireDate ?? false;
  const file = new ObjectSplitter('between objects');
  const inside = new ObjectSplitter('inside a container');
  let started = false;
  for await (const chunk of chunks) {
    let bytes: Buffer = Buffer.from(chunk);
    if (!started) {
      head = head.length === 0 ? bytes : Buffer.concat([head, bytes]);
      if (head.length < 8) continue;
      if (!head.subarray(0, 4).equals(BLF_SIGNATURE)) {
        yield malformed('not a BLF file: it does not start with LOGG');
        return;
      }
      const headerSize = head.readUInt32LE(4);
      if (headerSize < 8 || headerSize > 4096) {
        yield malformed(`BLF file header of ${headerSize} bytes`);
        return;
      }
      if (head.length < headerSize) continue;
      startMs = startTime(head.subarray(0, headerSize), options.timeZone ?? 'local');
      started = true;
      bytes = head.subarray(headerSize);
    }
    for (const item of file.push(bytes)) {
      if (!Buffer.isBuffer(item)) yield item;
      else if (item.readUInt32LE(12) !== LOG_CONTAINER) yield frameOf(item, startMs, requireDate);
      else {
        const data = unpack(item);
        if (typeof data === 'string') {
          yield malformed(data);
          continue;
        }
        for (const object of inside.push(data)) yield Buffer.isBuffer(object) ? frameOf(object, startMs, requireDate) : object;
      }
    }
  }
  if (!started) yield malformed(head.length === 0 ? 'an empty file' : 'a BLF file cut short in its header');
  else if (file.cutShort() || inside.cutShort()) yield malformed('the last BLF object is cut short (a file still being written, or truncated)');
}
