import { frameCrc } from './crc.js';
import type { Dialect, MessageDef } from './dialect.js';
import {
  CHECKSUM_LENGTH, HEADER_V1, HEADER_V2, IFLAG_SIGNED, SIGNATURE_LENGTH, STX_V1, STX_V2, type MavlinkFrame,
} from './frame.js';
import { ParseTally, type ParseCounts, type ParseProblem } from './parse-problems.js';
import { ReplayGuard, checkSigningKey, signatureMatches, type SigningOptions } from './signing.js';

/** Options of {@link createMavlinkParser}. */
export interface ParserOptions {
  /** The message tables frames are checked against (see `loadDialect`). */
  dialect: Dialect;
  /** Check signed frames against this key. Without it, signed frames are accepted unchecked. */
  signing?: SigningOptions;
}

/** Options of one {@link MavlinkParser.push}. */
export interface PushOptions {
  /**
   * The chunk is a whole datagram (UDP, one `.tlog` record): no frame continues past its end, so
   * a frame cut short is reported at once instead of waiting for more bytes. Default false.
   */
  datagram?: boolean;
}

/** What one push gave: the frames completed and what was set aside. */
export interface ParseResult {
  frames: MavlinkFrame[];
  problems: ParseProblem[];
}

/**
 * A MAVLink 1 and 2 stream parser. Pure: bytes in, frames and problems out, never throws for
 * any input. It holds at most one unfinished frame (under 280 bytes) between pushes.
 */
export interface MavlinkParser {
  /** Feeds bytes. Frames are views into `chunk` (or into a copy when a frame spans two pushes). */
  push(chunk: Uint8Array, options?: PushOptions): ParseResult;
  /** The stream ended (a connection closed): what was held is reported and forgotten. */
  end(): ParseResult;
  /** Bytes held for a frame not yet complete. */
  held(): number;
  /** Running totals since creation. */
  counts(): ParseCounts;
}

// Verdicts of `examine` on a start byte.
const NEED_MORE = 0;
const FRAME = 1;
/** Checksum valid but refused (length, signature): skip the whole frame. */
const REFUSED = 2;
/** Not a frame, and no claim on the bytes after the start byte. */
const NOT_A_FRAME = 3;
/** Not a frame, but perhaps a damaged one: its span decides (see `Pending`). */
const SUSPECT = 4;

/**
 * A rejected start byte whose claimed span may hold a damaged frame. If a valid frame starts
 * inside the span, the suspect was a frame cut short (`plausible` header) or noise; if the span
 * passes without one, it was a whole frame that is corrupt (`crc`) or of an unknown message.
 * Until then its bytes are counted neither way. Positions are absolute stream offsets.
 */
interface Pending {
  start: number;
  end: number;
  kind: 'crc' | 'unknown_message' | 'truncated' | 'bad_length';
  plausible: boolean;
  sysid: number;
  compid: number;
  msgid: number;
}

/**
 * Creates a parser. Resynchronisation: after anything that is not a valid frame, scanning goes
 * on from the byte after the rejected start byte, so a valid frame hidden behind garbage or a
 * broken frame is never skipped. The only way to lose one is a false checksum match (1 in 65,536
 * for a random start byte naming a known message), which MAVLink's 16-bit checksum allows.
 */
export function createMavlinkParser(options: ParserOptions): MavlinkParser {
  const { dialect } = options;
  const key = options.signing?.key;
  if (key) checkSigningKey(key);
  const allowUnsigned = options.signing?.allowUnsigned ?? false;
  const replay = new ReplayGuard();
  const tally = new ParseTally();

  let held: Uint8Array | undefined;
  /** Absolute offset of the next byte to arrive (or of `held[0]` when holding). */
  let offset = 0;
  let pending: Pending | undefined;
  /** Absolute offset where the current run of garbage began, or -1. */
  let garbageFrom = -1;

  // Scratch filled by `examine` for the caller.
  let found: MavlinkFrame | undefined;
  let refusal: ParseProblem | undefined;
  let frameLength = 0;
  let suspect: Omit<Pending, 'start'> | undefined;

  const problem = (out: ParseResult, p: ParseProblem): void => {
    tally.problem(p);
    out.problems.push(p);
  };
  const flushGarbage = (out: ParseResult, to: number): void => {
    if (garbageFrom >= 0 && to > garbageFrom) problem(out, { kind: 'garbage', message: `${to - garbageFrom} bytes that are not part of any frame`, bytes: to - garbageFrom });
    garbageFrom = -1;
  };
  const discard = (at: number): void => {
    if (!pending && garbageFrom < 0) garbageFrom = at;
  };
  const describe = (p: Pending): string => `message ${p.msgid} from system ${p.sysid}`;
  /**
   * The suspect's span passed with no valid frame inside: it was one whole bad frame, or (for an
   * implausible header) more garbage, which then joins the run of garbage before it.
   */
  const commitPassed = (out: ParseResult, at: number): void => {
    if (!pending || at < pending.end) return;
    const p = pending;
    pending = undefined;
    if ((p.kind === 'crc' || p.kind === 'truncated') && !p.plausible) {
      if (garbageFrom < 0) garbageFrom = p.start;
      return;
    }
    flushGarbage(out, p.start);
    const where = { bytes: p.end - p.start, sysid: p.sysid, compid: p.compid, msgid: p.msgid };
    if (p.kind === 'unknown_message') problem(out, { kind: 'unknown_message', message: `message id ${p.msgid} from system ${p.sysid} is not in the ${dialect.name} dialect`, ...where });
    else if (p.kind === 'bad_length') problem(out, { kind: 'bad_length', message: `MAVLink 1 ${describe(p)} has a payload length its message does not have`, ...where });
    else if (p.kind === 'crc') problem(out, { kind: 'crc', message: `checksum mismatch on ${describe(p)}`, ...where });
    else problem(out, { kind: 'truncated', message: `${describe(p)} ends before its declared length`, ...where });
    if (at > p.end) garbageFrom = p.end;
  };
  /** A valid frame starts at `at`, inside the suspect's span: the suspect was cut short, or noise. */
  const interrupt = (out: ParseResult, at: number): void => {
    if (!pending) return;
    const p = pending;
    pending = undefined;
    if (p.plausible) {
      flushGarbage(out, p.start);
      problem(out, { kind: 'truncated', message: `${describe(p)} was cut short by the next frame`, bytes: at - p.start, sysid: p.sysid, compid: p.compid, msgid: p.msgid });
    } else if (garbageFrom < 0) {
      garbageFrom = p.start;
    }
  };

  function examine(buf: Uint8Array, s: number, end: number, final: boolean): number {
    const v2 = buf[s] === STX_V2;
    const headerLength = v2 ? HEADER_V2 : HEADER_V1;
    if (end - s < headerLength) return final ? NOT_A_FRAME : NEED_MORE;
    const len = buf[s + 1]!;
    let flags = 0;
    let compat = 0;
    let seq: number;
    let sysid: number;
    let compid: number;
    let msgid: number;
    if (v2) {
      flags = buf[s + 2]!;
      // Unknown incompatibility flags change the frame layout in ways this parser cannot know.
      if ((flags & ~IFLAG_SIGNED) !== 0) return NOT_A_FRAME;
      compat = buf[s + 3]!;
      seq = buf[s + 4]!;
      sysid = buf[s + 5]!;
      compid = buf[s + 6]!;
      msgid = buf[s + 7]! | (buf[s + 8]! << 8) | (buf[s + 9]! << 16);
    } else {
      seq = buf[s + 2]!;
      sysid = buf[s + 3]!;
      compid = buf[s + 4]!;
      msgid = buf[s + 5]!;
    }
    const signed = (flags & IFLAG_SIGNED) !== 0;
    const total = headerLength + len + CHECKSUM_LENGTH + (signed ? SIGNATURE_LENGTH : 0);
    const def = dialect.message(msgid);
    if (!def) {
      // In a datagram cut before the claimed end there is nothing to tell it from noise.
      if (final && end - s < total) return NOT_A_FRAME;
      suspect = { end: 0, kind: 'unknown_message', plausible: false, sysid, compid, msgid };
      frameLength = total;
      return SUSPECT;
    }
    const plausible = v2 ? len <= def.maxLength : len >= def.baseLength && len <= def.maxLength;
    const payloadEnd = s + headerLength + len;
    if (!v2 && !plausible) {
      // A MAVLink 1 payload has its message's length: this is noise, or a broken sender. Its
      // checksum is checked when the bytes are already here (to tell bad_length), never waited
      // for, so that noise claiming a long frame does not hold back the frames behind it.
      if (end - s < total || frameCrc(buf, s + 1, payloadEnd, def.crcExtra) !== (buf[payloadEnd]! | (buf[payloadEnd + 1]! << 8))) return NOT_A_FRAME;
      // Even with a valid checksum it stays suspect: noise passes a 16-bit checksum once in
      // 65,536 tries, and skipping its claimed length could swallow real frames.
      suspect = { end: 0, kind: 'bad_length', plausible: false, sysid, compid, msgid };
      frameLength = total;
      return SUSPECT;
    }
    if (end - s < total) {
      if (!final) return NEED_MORE;
      suspect = { end: 0, kind: 'truncated', plausible, sysid, compid, msgid };
      frameLength = end - s;
      return SUSPECT;
    }
    const crc = buf[payloadEnd]! | (buf[payloadEnd + 1]! << 8);
    if (frameCrc(buf, s + 1, payloadEnd, def.crcExtra) !== crc) {
      suspect = { end: 0, kind: 'crc', plausible, sysid, compid, msgid };
      frameLength = total;
      return SUSPECT;
    }
    frameLength = total;
    let signature: MavlinkFrame['signature'];
    if (signed) {
      const at = payloadEnd + CHECKSUM_LENGTH;
      // The checksum does not cover the signature: a frame cut inside its signature passes it.
      // A valid frame starting among the signature bytes shows the cut; the frame is set aside
      // as truncated so that the one after it is not skipped.
      for (let q = at; q < s + total; q++) {
        if (buf[q] !== STX_V2 && buf[q] !== STX_V1) continue;
        const inner = probe(buf, q, end, final);
        if (inner === NEED_MORE) return NEED_MORE;
        if (inner === FRAME) {
          suspect = { end: 0, kind: 'truncated', plausible: true, sysid, compid, msgid };
          frameLength = q - s;
          return SUSPECT;
        }
      }
      const linkId = buf[at]!;
      const timestamp = readUint48(buf, at + 1);
      if (key) {
        if (!signatureMatches(key, buf, s, total)) {
          refusal = { kind: 'bad_signature', message: `${def.name} from system ${sysid} (link ${linkId}) has a signature that does not match the key`, bytes: total, sysid, compid, msgid, linkId };
          return REFUSED;
        }
        if (!replay.accept(sysid, compid, linkId, timestamp)) {
          refusal = { kind: 'replayed_signature', message: `${def.name} from system ${sysid} (link ${linkId}) repeats an old signature timestamp`, bytes: total, sysid, compid, msgid, linkId };
          return REFUSED;
        }
      }
      signature = { linkId, timestamp, verified: key !== undefined };
    } else if (key && !allowUnsigned) {
      refusal = { kind: 'unsigned', message: `unsigned ${def.name} from system ${sysid} refused: a signing key is set (allow unsigned frames to accept it)`, bytes: total, sysid, compid, msgid };
      return REFUSED;
    }
    found = frame(buf, s, total, v2, def, { flags, compat, seq, sysid, compid, msgid, payloadEnd, signature });
    return FRAME;
  }

  /** Whether a checksum-valid frame starts at `q` (FRAME), may once more bytes come (NEED_MORE), or not (NOT_A_FRAME). */
  function probe(buf: Uint8Array, q: number, end: number, final: boolean): number {
    const v2 = buf[q] === STX_V2;
    const headerLength = v2 ? HEADER_V2 : HEADER_V1;
    if (end - q < headerLength) return final ? NOT_A_FRAME : NEED_MORE;
    const len = buf[q + 1]!;
    const flags = v2 ? buf[q + 2]! : 0;
    if ((flags & ~IFLAG_SIGNED) !== 0) return NOT_A_FRAME;
    const def = dialect.message(v2 ? buf[q + 7]! | (buf[q + 8]! << 8) | (buf[q + 9]! << 16) : buf[q + 5]!);
    if (!def) return NOT_A_FRAME;
    const payloadEnd = q + headerLength + len;
    if (end < payloadEnd + CHECKSUM_LENGTH) return final ? NOT_A_FRAME : NEED_MORE;
    return frameCrc(buf, q + 1, payloadEnd, def.crcExtra) === (buf[payloadEnd]! | (buf[payloadEnd + 1]! << 8)) ? FRAME : NOT_A_FRAME;
  }

  function scan(buf: Uint8Array, base: number, final: boolean, out: ParseResult): void {
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      let s = pos;
      while (s < end && buf[s] !== STX_V2 && buf[s] !== STX_V1) s++;
      if (s > pos) discard(base + pos);
      commitPassed(out, base + s);
      if (s >= end) break;
      const verdict = examine(buf, s, end, final);
      if (verdict === NEED_MORE) {
        held = buf.slice(s);
        offset = base + s;
        if (!pending) flushGarbage(out, base + s);
        return;
      }
      if (verdict === FRAME || verdict === REFUSED) {
        interrupt(out, base + s);
        flushGarbage(out, base + s);
        if (verdict === FRAME) {
          tally.frame(found!.sysid);
          out.frames.push(found!);
        } else {
          problem(out, refusal!);
        }
        found = undefined;
        refusal = undefined;
        pos = s + frameLength;
        continue;
      }
      if (verdict === SUSPECT && !pending) {
        pending = { ...suspect!, start: base + s, end: base + s + frameLength };
      } else {
        discard(base + s);
      }
      pos = s + 1;
    }
    commitPassed(out, base + end);
    offset = base + end;
    if (final) {
      // A datagram's bytes, or a stream's, end here: whatever was suspect is settled now.
      if (pending) commitPassed(out, pending.end);
      flushGarbage(out, base + end);
      pending = undefined;
    } else if (!pending) {
      flushGarbage(out, base + end);
    }
  }

  return {
    push(chunk, pushOptions) {
      const out: ParseResult = { frames: [], problems: [] };
      tally.bytes += chunk.length;
      let buf = chunk;
      if (held) {
        buf = new Uint8Array(held.length + chunk.length);
        buf.set(held);
        buf.set(chunk, held.length);
        held = undefined;
      }
      scan(buf, offset, pushOptions?.datagram ?? false, out);
      return out;
    },
    end() {
      const out: ParseResult = { frames: [], problems: [] };
      const rest = held ?? new Uint8Array(0);
      held = undefined;
      scan(rest, offset, true, out);
      return out;
    },
    held: () => held?.length ?? 0,
    counts: () => tally.snapshot(),
  };
}

function readUint48(buf: Uint8Array, at: number): number {
  return buf[at]! + buf[at + 1]! * 2 ** 8 + buf[at + 2]! * 2 ** 16 + buf[at + 3]! * 2 ** 24 + buf[at + 4]! * 2 ** 32 + buf[at + 5]! * 2 ** 40;
}

interface HeaderFields {
  flags: number;
  compat: number;
  seq: number;
  sysid: number;
  compid: number;
  msgid: number;
  payloadEnd: number;
  signature: MavlinkFrame['signature'];
}

function frame(buf: Uint8Array, s: number, total: number, v2: boolean, message: MessageDef, h: HeaderFields): MavlinkFrame {
  const result: MavlinkFrame = {
    version: v2 ? 2 : 1,
    sysid: h.sysid,
    compid: h.compid,
    seq: h.seq,
    msgid: h.msgid,
    message,
    payload: buf.subarray(s + (v2 ? HEADER_V2 : HEADER_V1), h.payloadEnd),
    incompatFlags: h.flags,
    compatFlags: h.compat,
    bytes: buf.subarray(s, s + total),
  };
  if (h.signature) result.signature = h.signature;
  return result;
}
