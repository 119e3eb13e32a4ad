import { frameCrc } from './crc.js';
import type { Dialect, MessageDef } from './dialect.js';
import { CHECKSUM_LENGTH, HEADER_V1, HEADER_V2, IFLAG_SIGNED, SIGNATURE_LENGTH, STX_V1, STX_V2, type MavlinkFrame } from './frame.js';
import type { ParseProblem } from './parse-problems.js';
import { ReplayGuard, signatureMatches } from './signing.js';

// Verdicts of `examine` on a start byte.
/** The candidate needs bytes that have not arrived yet. */
export const NEED_MORE = 0;
/** A frame: see `frame` and `length`. */
export const FRAME = 1;
/** Checksum valid but refused (signature, unsigned): see `refusal`; skip the whole frame. */
export const REFUSED = 2;
/** Not a frame, and no claim on the bytes after the start byte. */
export const NOT_A_FRAME = 3;
/** Not a frame, but perhaps a damaged one: see `suspect`; its span (`length`) decides. */
export const SUSPECT = 4;

/**
 * RADIO_STATUS: a telemetry radio (SiK, RFD900) inserts it into the stream itself and cannot sign
 * it. Accepted unsigned with a key set, as ArduPilot does (`GCS_Signing.cpp`, `unsigned_messages`):
 * refused, the radio's RSSI and error counts would be lost and every one logged as `unsigned`.
 */
export const RADIO_STATUS_ID = 109;

/** What a suspect start byte claimed; the parser settles it by whether a valid frame starts inside its span. */
export interface Suspect {
  kind: 'crc' | 'unknown_message' | 'truncated' | 'bad_length';
  /** The header could be a real frame's (known message, possible length): cut short rather than noise. */
  plausible: boolean;
  sysid: number;
  compid: number;
  msgid: number;
  /** The header's sequence number (of a frame of an unknown message, which may well be real). */
  seq?: number;
}

/**
 * Checks one start byte at a time against the dialect and the signing rules. Results go to
 * fields rather than new objects, since this runs for every frame of every stream.
 */
export class FrameExaminer {
  frame: MavlinkFrame | undefined;
  refusal: ParseProblem | undefined;
  suspect: Suspect | undefined;
  /** Bytes the verdict covers: the frame, or the suspect's claimed span. */
  length = 0;
  constructor(
    private readonly dialect: Dialect,
    private readonly key: Uint8Array | undefined,
    private readonly allowUnsigned: boolean,
    private readonly replay: ReplayGuard = new ReplayGuard(),
  ) {}

  /** Examines the start byte at `s` of `buf[..end)`; `final` when no more bytes will follow. Fills the fields above. */
  examine(buf: Uint8Array, s: number, end: number, final: boolean): number {
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
    const def = this.dialect.message(msgid);
    if (!def) {
      // In a datagram cut before the claimed end there is nothing to tell it from noise.
      if (final && end - s < total) return NOT_A_FRAME;
      this.suspect = { kind: 'unknown_message', plausible: false, sysid, compid, msgid, seq };
      this.length = total;
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
      this.suspect = { kind: 'bad_length', plausible: false, sysid, compid, msgid };
      this.length = total;
      return SUSPECT;
    }
    if (end - s < total) {
      if (!final) return NEED_MORE;
      this.suspect = { kind: 'truncated', plausible, sysid, compid, msgid };
      this.length = end - s;
      return SUSPECT;
    }
    const crc = buf[payloadEnd]! | (buf[payloadEnd + 1]! << 8);
    if (frameCrc(buf, s + 1, payloadEnd, def.crcExtra) !== crc) {
      this.suspect = { kind: 'crc', plausible, sysid, compid, msgid };
      this.length = total;
      return SUSPECT;
    }
    this.length = total;
    let signature: MavlinkFrame['signature'];
    let copy = false;
    if (signed) {
      const at = payloadEnd + CHECKSUM_LENGTH;
      // A signature that matches the key proves the frame whole (a cut one would carry the next
      // frame's bytes as its signature): nothing after it needs to be seen.
      const verified = this.key !== undefined && signatureMatches(this.key, buf, s, total);
      // The checksum does not cover the signature: a frame cut inside its signature passes it.
      // A valid frame starting among the signature bytes shows the cut; the frame is set aside
      // as truncated so that the one after it is not skipped. Telling that may need bytes past
      // this frame (a stream that pauses there is settled by the source; see `MavlinkReader.end`).
      for (let q = at; !verified && q < s + total; q++) {
        if (buf[q] !== STX_V2 && buf[q] !== STX_V1) continue;
        const inner = this.probe(buf, q, end, final);
        if (inner === NEED_MORE) return NEED_MORE;
        if (inner === FRAME) {
          this.suspect = { kind: 'truncated', plausible: true, sysid, compid, msgid };
          this.length = q - s;
          return SUSPECT;
        }
      }
      const linkId = buf[at]!;
      const timestamp = readUint48(buf, at + 1);
      if (this.key) {
        if (!verified) {
          this.refusal = { kind: 'bad_signature', message: `${def.name} from system ${sysid} (link ${linkId}) has a signature that does not match the key (it signs with another passphrase or key than signing: sets)`, bytes: total, sysid, compid, msgid, linkId };
          return REFUSED;
        }
        const replay = this.replay.check(sysid, compid, linkId, timestamp, readUint48(buf, at + 7));
        if (replay === 'replayed') {
          this.refusal = { kind: 'replayed_signature', message: `${def.name} from system ${sysid} (link ${linkId}) repeats an old signature timestamp`, bytes: total, sysid, compid, msgid, linkId };
          return REFUSED;
        }
        copy = replay === 'copy';
      }
      signature = { linkId, timestamp, verified: this.key !== undefined };
      if (copy) signature.copy = true;
    } else if (this.key && !this.allowUnsigned && msgid !== RADIO_STATUS_ID) {
      this.refusal = { kind: 'unsigned', message: `unsigned ${def.name} from system ${sysid} refused: a signing key is set (sign on the vehicle, or set signing.allow_unsigned: true to accept unsigned frames)`, bytes: total, sysid, compid, msgid };
      return REFUSED;
    }
    this.frame = buildFrame(buf, s, total, v2, def, { flags, compat, seq, sysid, compid, msgid, payloadEnd, signature });
    return FRAME;
  }

  /** Whether a checksum-valid frame starts at `q` (FRAME), may once more bytes come (NEED_MORE), or not (NOT_A_FRAME). */
  private probe(buf: Uint8Array, q: number, end: number, final: boolean): number {
    const v2 = buf[q] === STX_V2;
    const headerLength = v2 ? HEADER_V2 : HEADER_V1;
    if (end - q < headerLength) return final ? NOT_A_FRAME : NEED_MORE;
    const len = buf[q + 1]!;
    const flags = v2 ? buf[q + 2]! : 0;
    if ((flags & ~IFLAG_SIGNED) !== 0) return NOT_A_FRAME;
    const def = this.dialect.message(v2 ? buf[q + 7]! | (buf[q + 8]! << 8) | (buf[q + 9]! << 16) : buf[q + 5]!);
    if (!def) return NOT_A_FRAME;
    const payloadEnd = q + headerLength + len;
    if (end < payloadEnd + CHECKSUM_LENGTH) return final ? NOT_A_FRAME : NEED_MORE;
    return frameCrc(buf, q + 1, payloadEnd, def.crcExtra) === (buf[payloadEnd]! | (buf[payloadEnd + 1]! << 8)) ? FRAME : NOT_A_FRAME;
  }
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

function buildFrame(buf: Uint8Array, s: number, total: number, v2: boolean, message: MessageDef, h: HeaderFields): MavlinkFrame {
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
