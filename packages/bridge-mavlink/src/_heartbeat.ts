import { gcsHeartbeat, signatureTimestamp } from './frame-encode.js';
import type { MavlinkLink } from './link.js';

/** What {@link startHeartbeats} sends, and where failures go. */
export interface HeartbeatOptions {
  /** The link to send on (looked up per heartbeat: a UDP link whose bind failed is replaced when retried). */
  link(): MavlinkLink | undefined;
  intervalMs: number;
  sysid: number;
  compid: number;
  /** Sign them (a vehicle with signing on refuses unsigned frames). */
  signing?: { key: Uint8Array; linkId: number } | undefined;
  /** Unix ms, for signature timestamps. */
  now(): number;
  /** A send failed (counted and reported by the source; the next heartbeat tries again). */
  failed(err: unknown): void;
  /** A send went through to at least one peer. */
  sent(): void;
}

/**
 * Sends a ground station's HEARTBEAT now and every `intervalMs`, as MAVLink 2 (signed when a
 * key is set, with timestamps that always increase, as the signing specification asks). On
 * `udpout` this is how the vehicle learns where to send; on `udpin` it goes to every peer heard.
 * The timer is `unref()`ed. Returns the function that stops it.
 */
export function startHeartbeats(o: HeartbeatOptions): () => void {
  let seq = 0;
  let lastTimestamp = 0;
  const send = (): void => {
    let signature: { key: Uint8Array; linkId: number; timestamp: number } | undefined;
    if (o.signing) {
      lastTimestamp = Math.max(lastTimestamp + 1, signatureTimestamp(o.now()));
      signature = { key: o.signing.key, linkId: o.signing.linkId, timestamp: lastTimestamp };
    }
    const frame = gcsHeartbeat({ sysid: o.sysid, compid: o.compid, seq: seq++ & 0xff, ...(signature ? { signature } : {}) });
    o.link()?.send(frame).then((peers) => {
      if (peers > 0) o.sent();
    }, o.failed);
  };
  send();
  const timer = setInterval(send, o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
