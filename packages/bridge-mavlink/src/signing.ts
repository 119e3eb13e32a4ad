import { createHash } from 'node:crypto';
import { MavlinkBridgeError } from './errors.js';

/** How signed MAVLink 2 frames are checked. */
export interface SigningOptions {
  /** The 32-byte secret key shared with the vehicle (see {@link signingKey} for a passphrase). */
  key: Uint8Array;
  /**
   * Accept frames without a signature. Default false: with a key set, unsigned frames are refused
   * (counted as `unsigned`), as the MAVLink signing specification asks, since otherwise anyone could
   * inject unsigned frames past the check. RADIO_STATUS is accepted unsigned either way: a telemetry
   * radio inserts it and cannot sign it (ArduPilot accepts it the same way).
   */
  allowUnsigned?: boolean;
}

/**
 * The key Mission Planner and QGroundControl derive from a passphrase: SHA-256 of its UTF-8
 * bytes (32 bytes).
 */
export function signingKey(passphrase: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(passphrase, 'utf8').digest());
}

/**
 * A 32-byte key written as text: 64 hex digits, or 44 base64 characters (as MAVProxy and PX4
 * tools print keys). Returns why otherwise (without repeating the text: it is a secret).
 */
export function parseSigningKey(text: string): { ok: true; key: Uint8Array } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return { ok: true, key: new Uint8Array(Buffer.from(trimmed, 'hex')) };
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === 32) return { ok: true, key: new Uint8Array(bytes) };
  }
  return { ok: false, message: `a signing key is 32 bytes written as 64 hex digits or 44 base64 characters (this one has ${trimmed.length} characters); use passphrase for a passphrase` };
}

/** Throws a `BAD_KEY` error unless `key` has the 32 bytes MAVLink signing uses. */
export function checkSigningKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new MavlinkBridgeError('BAD_KEY', `a MAVLink signing key has 32 bytes (got ${key?.length ?? 'none'}); derive one from a passphrase with signingKey()`);
  }
}

/**
 * True when the signature of the signed frame `frame[0..length)` matches `key`: the first 6
 * bytes of SHA-256 over the key and the frame up to and including the signature's timestamp.
 */
export function signatureMatches(key: Uint8Array, frame: Uint8Array, start: number, length: number): boolean {
  const hashFrom = start + length - 6;
  const digest = createHash('sha256').update(key).update(frame.subarray(start, hashFrom)).digest();
  for (let i = 0; i < 6; i++) if (digest[i] !== frame[hashFrom + i]) return false;
  return true;
}

/** Streams (system, component, link) remembered for replay checks; the oldest is forgotten past this. */
export const MAX_SIGNED_STREAMS = 1024;

/** One minute in signature timestamp units (10 us). */
const NEW_STREAM_SLACK = 6_000_000;
/** Signatures remembered per stream, to tell a copy of a recent frame from a replay. */
export const SIGNED_COPY_FRAMES = 64;
/** How far behind its stream's newest timestamp (10 us units: 2 s) a copy may be: as the copy filter's window. */
const SIGNED_COPY_WINDOW = 200_000;

/** What the replay rule says of a signed frame. */
export type ReplayVerdict =
  /** A timestamp newer than its stream's last: accepted, and remembered. */
  | 'new'
  /**
   * The same frame again (its timestamp and signature are those of one of its stream's last
   * {@link SIGNED_COPY_FRAMES} frames, at most 2 s behind the newest): heard over a second
   * route. Not a replay: the frame was accepted once; the reader drops its copy.
   */
  | 'copy'
  /** An old timestamp with another frame, or a copy older than the window: refused. */
  | 'replayed';

interface SignedStream {
  last: number;
  /** Recent timestamps (increasing) and the 48-bit signature each was accepted with. */
  recent: Map<number, number>;
}

/**
 * The replay rule of MAVLink signing: per stream (system, component, link id) timestamps must
 * increase, and a stream never seen before may not start more than a minute behind the newest
 * timestamp seen on any stream. A frame heard twice (two routes) repeats its timestamp with its
 * signature: a copy, told apart from a replay by that signature, which covers the whole frame.
 * Bounded to {@link MAX_SIGNED_STREAMS} streams of {@link SIGNED_COPY_FRAMES} signatures.
 */
export class ReplayGuard {
  private readonly streams = new Map<number, SignedStream>();
  private newest = 0;

  /**
   * Records the timestamp and `signature` (the frame's last 6 bytes, as a 48-bit number) when
   * new; says whether the frame is new, a copy of a recent one, or replayed.
   */
  check(sysid: number, compid: number, linkId: number, timestamp: number, signature: number): ReplayVerdict {
    const key = (sysid << 16) | (compid << 8) | linkId;
    const stream = this.streams.get(key);
    if (stream !== undefined && timestamp <= stream.last) {
      return stream.last - timestamp <= SIGNED_COPY_WINDOW && stream.recent.get(timestamp) === signature ? 'copy' : 'replayed';
    }
    if (stream === undefined && timestamp + NEW_STREAM_SLACK < this.newest) return 'replayed';
    if (stream === undefined && this.streams.size >= MAX_SIGNED_STREAMS) {
      const oldest = this.streams.keys().next().value;
      if (oldest !== undefined) this.streams.delete(oldest);
    }
    const s = stream ?? { last: timestamp, recent: new Map<number, number>() };
    this.streams.delete(key);
    this.streams.set(key, s);
    s.last = timestamp;
    s.recent.set(timestamp, signature);
    if (s.recent.size > SIGNED_COPY_FRAMES) s.recent.delete(s.recent.keys().next().value!);
    if (timestamp > this.newest) this.newest = timestamp;
    return 'new';
  }

  /** {@link check} without the signature: true for a new timestamp. */
  accept(sysid: number, compid: number, linkId: number, timestamp: number): boolean {
    return this.check(sysid, compid, linkId, timestamp, -1) === 'new';
  }
}
