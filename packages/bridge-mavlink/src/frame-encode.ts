import { createHash } from 'node:crypto';
import { frameCrc } from './crc.js';
import { CHECKSUM_LENGTH, HEADER_V2, IFLAG_SIGNED, SIGNATURE_EPOCH_MS, SIGNATURE_LENGTH, STX_V2 } from './frame.js';

/** What {@link encodeFrameV2} writes. */
export interface OutgoingFrame {
  sysid: number;
  compid: number;
  /** 8-bit sequence number. */
  seq: number;
  msgid: number;
  /** CRC_EXTRA of the message (its `MessageDef.crcExtra`). */
  crcExtra: number;
  /** The payload in wire order; trailing zero bytes are trimmed (one byte is kept), as MAVLink 2 asks. */
  payload: Uint8Array;
  /** Sign with this 32-byte key, link id and timestamp (10 us units since 2015-01-01, see {@link signatureTimestamp}). */
  signature?: { key: Uint8Array; linkId: number; timestamp: number };
}

/** A signature timestamp (10 us since 2015-01-01) for Unix time `unixMs`. */
export function signatureTimestamp(unixMs: number): number {
  return Math.max(0, Math.floor((unixMs - SIGNATURE_EPOCH_MS) * 100));
}

/** A MAVLink 2 frame: header, trimmed payload, CRC-16/MCRF4XX with CRC_EXTRA, and the signature when asked. */
export function encodeFrameV2(frame: OutgoingFrame): Buffer {
  let length = frame.payload.length;
  while (length > 1 && frame.payload[length - 1] === 0) length--;
  const signed = frame.signature !== undefined;
  const out = Buffer.alloc(HEADER_V2 + length + CHECKSUM_LENGTH + (signed ? SIGNATURE_LENGTH : 0));
  out[0] = STX_V2;
  out[1] = length;
  out[2] = signed ? IFLAG_SIGNED : 0;
  out[3] = 0;
  out[4] = frame.seq & 0xff;
  out[5] = frame.sysid;
  out[6] = frame.compid;
  out.writeUIntLE(frame.msgid, 7, 3);
  out.set(frame.payload.subarray(0, length), HEADER_V2);
  const crcAt = HEADER_V2 + length;
  out.writeUInt16LE(frameCrc(out, 1, crcAt, frame.crcExtra), crcAt);
  if (frame.signature) {
    const at = crcAt + CHECKSUM_LENGTH;
    out[at] = frame.signature.linkId;
    out.writeUIntLE(frame.signature.timestamp, at + 1, 6);
    const hash = createHash('sha256').update(frame.signature.key).update(out.subarray(0, at + 7)).digest();
    hash.copy(out, at + 7, 0, 6);
  }
  return out;
}

/** HEARTBEAT's id and CRC_EXTRA (common.xml / minimal.xml). */
const HEARTBEAT = { msgid: 0, crcExtra: 50 };
const MAV_TYPE_GCS = 6;
const MAV_AUTOPILOT_INVALID = 8;
const MAV_STATE_ACTIVE = 4;

/**
 * The payload of a ground station's HEARTBEAT, in wire order: custom_mode (uint32) 0, type GCS,
 * autopilot INVALID (not a flight controller), base_mode 0, system_status ACTIVE, mavlink_version 3.
 */
export function gcsHeartbeat(options: { sysid: number; compid: number; seq: number; signature?: OutgoingFrame['signature'] }): Buffer {
  const payload = Uint8Array.from([0, 0, 0, 0, MAV_TYPE_GCS, MAV_AUTOPILOT_INVALID, 0, MAV_STATE_ACTIVE, 3]);
  return encodeFrameV2({ ...HEARTBEAT, ...options, payload });
}
