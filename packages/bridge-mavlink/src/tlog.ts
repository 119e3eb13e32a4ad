import { CHECKSUM_LENGTH, HEADER_V1, HEADER_V2, IFLAG_SIGNED, SIGNATURE_LENGTH, STX_V1, STX_V2 } from './frame.js';

/** One record of a `.tlog`: when the frame was received, and its bytes. */
export interface TlogRecord {
  /** Receive time when logged, in microseconds since the epoch. */
  timestampUs: number;
  /** The frame's bytes (checked later by the MAVLink parser, like any received bytes). */
  frame: Uint8Array;
}

/** Records from bytes of a `.tlog` file, and how many bytes had to be skipped to find them. */
export interface TlogChunk {
  records: TlogRecord[];
  /** Bytes that did not start a plausible record (a damaged file). */
  skipped: number;
}

/** Splits `.tlog` bytes into records. Pure; holds at most one unfinished record (under 300 bytes). */
export interface TlogSplitter {
  push(chunk: Uint8Array): TlogChunk;
  /** The file ended: a record cut short is counted as skipped. */
  end(): TlogChunk;
}

const uint32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

// Timestamps outside 2000-01-01..2200-01-01 mark a place that is not the start of a record.
const MIN_US = 946_684_800e6;
const MAX_US = 7_258_118_400e6;

/**
 * Creates a splitter for the `.tlog` format: each record is an 8-byte big-endian timestamp (us
 * since the epoch) followed by one MAVLink frame, whose header gives its length. After damage it
 * resynchronises on the next position holding a plausible timestamp followed by a start byte.
 */
export function createTlogSplitter(): TlogSplitter {
  let held: Uint8Array | undefined;

  function split(buf: Uint8Array, final: boolean): TlogChunk {
    const out: TlogChunk = { records: [], skipped: 0 };
    let pos = 0;
    while (pos < buf.length) {
      if (buf.length - pos < 8 + 3) break;
      const stx = buf[pos + 8];
      const timestampUs = uint32(buf, pos) * 2 ** 32 + uint32(buf, pos + 4);
      if ((stx !== STX_V1 && stx !== STX_V2) || timestampUs < MIN_US || timestampUs > MAX_US) {
        out.skipped += 1;
        pos += 1;
        continue;
      }
      const len = buf[pos + 9]!;
      const signed = stx === STX_V2 && (buf[pos + 10]! & IFLAG_SIGNED) !== 0;
      const frameLength = (stx === STX_V2 ? HEADER_V2 : HEADER_V1) + len + CHECKSUM_LENGTH + (signed ? SIGNATURE_LENGTH : 0);
      if (buf.length - pos < 8 + frameLength) break;
      out.records.push({ timestampUs, frame: buf.subarray(pos + 8, pos + 8 + frameLength) });
      pos += 8 + frameLength;
    }
    if (final) {
      out.skipped += buf.length - pos;
      held = undefined;
    } else {
      held = pos < buf.length ? buf.slice(pos) : undefined;
    }
    return out;
  }

  return {
    push(chunk) {
      let buf = chunk;
      if (held) {
        buf = new Uint8Array(held.length + chunk.length);
        buf.set(held);
        buf.set(chunk, held.length);
      }
      return split(buf, false);
    },
    end: () => split(held ?? new Uint8Array(0), true),
  };
}

/**
 * Why a `.tlog` gave no frame (a replay fails with it, `--scan` prints it): what the file at
 * `path` held instead (`records` whole records, none a frame of the dialect; `skipped`, the
 * replay's line on the bytes that were not records), and what a `.tlog` is.
 */
export function noTlogFramesMessage(path: string, records: number, skipped: string | undefined): string {
  const held = records > 0 ? `${records.toLocaleString('en-US')} records, none a MAVLink frame of the dialect${skipped ? `, and ${skipped}` : ''}` : skipped ?? 'nothing: the file is empty';
  return `no MAVLink frame could be read from ${path} (${held}): a .tlog (Mission Planner, QGroundControl, MAVProxy) holds an 8-byte timestamp before each frame; a DataFlash log (.bin) or a raw byte capture is not one`;
}
