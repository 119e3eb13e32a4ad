import type { MessageDef } from './dialect.js';

/** Start byte of a MAVLink 1 frame. */
export const STX_V1 = 0xfe;
/** Start byte of a MAVLink 2 frame. */
export const STX_V2 = 0xfd;
/** Header bytes of a MAVLink 1 frame, start byte included. */
export const HEADER_V1 = 6;
/** Header bytes of a MAVLink 2 frame, start byte included. */
export const HEADER_V2 = 10;
/** Checksum bytes after the payload. */
export const CHECKSUM_LENGTH = 2;
/** Signature bytes after the checksum of a signed MAVLink 2 frame: link id, 48-bit timestamp, 48-bit hash. */
export const SIGNATURE_LENGTH = 13;
/** MAVLink 2 incompatibility flag: the frame is signed. */
export const IFLAG_SIGNED = 0x01;
/** The longest frame on the wire: a signed MAVLink 2 frame with a 255-byte payload. */
export const MAX_FRAME_LENGTH = HEADER_V2 + 255 + CHECKSUM_LENGTH + SIGNATURE_LENGTH;
/** Epoch of signature timestamps (2015-01-01T00:00:00Z) in Unix ms. */
export const SIGNATURE_EPOCH_MS = Date.UTC(2015, 0, 1);

/** The signature block of a signed MAVLink 2 frame. */
export interface FrameSignature {
  /** The sender's link (channel) id. */
  linkId: number;
  /** 48-bit timestamp in units of 10 microseconds since 2015-01-01 (see {@link signatureTimeMs}). */
  timestamp: number;
  /** True when checked against the configured key; false when no key was given (accepted unchecked). */
  verified: boolean;
  /**
   * True for a frame whose timestamp and signature repeat those of a recent frame of its stream
   * (see `ReplayGuard`): the same frame again, over a second route. The reader drops it as a
   * copy (counted as a duplicate), never as a replay.
   */
  copy?: true;
}

/**
 * One frame that passed its checksum (and its signature check when a key is set). `payload` and
 * `bytes` are views into the bytes given to the parser, not copies.
 */
export interface MavlinkFrame {
  version: 1 | 2;
  /** System id of the sender (the vehicle; 255 is usually a ground station). */
  sysid: number;
  /** Component id of the sender (1 is the autopilot). */
  compid: number;
  /** The sender's 8-bit sequence number. */
  seq: number;
  msgid: number;
  /** The message definition the frame was checked against. */
  message: MessageDef;
  /** The payload as received: a MAVLink 2 sender trims trailing zero bytes, decoders read them back as zeros. */
  payload: Uint8Array;
  /** MAVLink 2 incompatibility flags (0 for MAVLink 1). */
  incompatFlags: number;
  /** MAVLink 2 compatibility flags (0 for MAVLink 1). */
  compatFlags: number;
  signature?: FrameSignature;
  /** The whole frame, start byte to signature. */
  bytes: Uint8Array;
}

/** A signature timestamp (10 us units since 2015) as Unix ms. */
export function signatureTimeMs(timestamp: number): number {
  return SIGNATURE_EPOCH_MS + timestamp / 100;
}
