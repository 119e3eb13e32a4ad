import type { SparkplugPayload } from './sparkplug-codec.js';

/**
 * A Sparkplug B payload's `seq`: 0..255, counted per edge node over its NBIRTH (which sets it),
 * NDATA, DBIRTH, DDATA and DDEATH, wrapping from 255 to 0. Undefined when absent or outside.
 */
export function seqOf(payload: SparkplugPayload): number | undefined {
  if (payload.seq === undefined) return undefined;
  const seq = Number(payload.seq);
  return Number.isInteger(seq) && seq >= 0 && seq <= 255 ? seq : undefined;
}

/**
 * The seq that should have come instead of `seq`, after the node's `last`; undefined when it
 * follows on (or either is unknown). The same seq again is a message delivered twice (a QoS 1
 * redelivery, or overlapping filters of an MQTT 5 broker), not a gap.
 */
export function seqExpected(last: number | undefined, seq: number | undefined): number | undefined {
  if (last === undefined || seq === undefined || seq === last) return undefined;
  const next = (last + 1) % 256;
  return seq === next ? undefined : next;
}

/** Messages of a node after a gap during which one it skipped may still come late (reordered on the way). */
export const SEQ_LATE_WINDOW = 64;

/** True when `seq` is one of the `skipped` seqs of a node's last gap (it came late, after the message that skipped it). */
export function seqSkipped(skipped: { from: number; count: number } | undefined, seq: number | undefined): boolean {
  return skipped !== undefined && seq !== undefined && (seq - skipped.from + 256) % 256 < skipped.count;
}
