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

/**
 * The replay rule of MAVLink signing: per stream (system, component, link id) timestamps must
 * increase, and a stream never seen before may not start more than a minute behind the newest
 * timestamp seen on any stream. Bounded to {@link MAX_SIGNED_STREAMS} streams.
 */
export class ReplayGuard {
  private readonly last = new Map<number, number>();
  private newest = 0;

  /** Records the timestamp when acceptable; returns false for a replayed (old) one. */
  accept(sysid: number, compid: number, linkId: number, timestamp: number): boolean {
    const key = (sysid << 16) | (compid << 8) | linkId;
    const previous = this.last.get(key);
    if (previous !== undefined ? timestamp <= previous : timestamp + NEW_STREAM_SLACK < this.newest) return false;
    if (previous === undefined && this.last.size >= MAX_SIGNED_STREAMS) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.delete(key);
    this.last.set(key, timestamp);
    if (timestamp > this.newest) this.newest = timestamp;
    return true;
  }
}
