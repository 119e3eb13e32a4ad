import { excerpt, type BridgeContext } from '@fieldbridge/core/bridge';

/** Shortest interval between two rebirth requests to one Sparkplug edge node, in ms. */
export const REBIRTH_INTERVAL_MS = 30_000;

/** Rebirth requests sent at most per {@link REBIRTH_INTERVAL_MS}, to every edge node together. */
export const MAX_REBIRTHS_PER_INTERVAL = 100;

/**
 * Asks Sparkplug edge nodes for their births (NCMD `Node Control/Rebirth`) when their aliases
 * are unknown. Bounded, because node ids come from the peer: each node at most every
 * {@link REBIRTH_INTERVAL_MS}, every node together at most {@link MAX_REBIRTHS_PER_INTERVAL}
 * times in that interval, one log line per interval (naming how many requests it stands for),
 * and only the requests of the last interval remembered.
 */
export function createRebirthRequester(
  ctx: Pick<BridgeContext, 'clock' | 'logger'>,
  /** Publishes at QoS 0; false when not connected (nothing sent). */
  publish: (topic: string, payload: Uint8Array) => boolean,
  /** The NCMD payload asking for a rebirth, stamped `timestampMs`. */
  encode: (timestampMs: number) => Uint8Array,
  /** Hears each request sent (to count it, and to wait for its answer). */
  sent: (group: string, edgeNode: string) => void,
): (group: string, edgeNode: string) => void {
  /** node -> when it was asked (monotonic ms), oldest first. */
  const asked = new Map<string, number>();
  let windowStart = -Infinity;
  let inWindow = 0;
  let unlogged = 0;
  return (group, edgeNode) => {
    const now = ctx.clock.monotonicNow();
    for (const [node, at] of asked) {
      if (now - at < REBIRTH_INTERVAL_MS) break;
      asked.delete(node);
    }
    const key = `${group}/${edgeNode}`;
    if (asked.has(key)) return;
    if (now - windowStart >= REBIRTH_INTERVAL_MS) {
      windowStart = now;
      inWindow = 0;
    }
    if (inWindow >= MAX_REBIRTHS_PER_INTERVAL) return;
    const topic = `spBv1.0/${group}/NCMD/${edgeNode}`;
    if (!publish(topic, encode(ctx.clock.now()))) return;
    asked.set(key, now);
    inWindow += 1;
    sent(group, edgeNode);
    if (inWindow > 1) {
      unlogged += 1;
      return;
    }
    const more = unlogged > 0 ? `; ${unlogged} more requests since the last such line (at most ${MAX_REBIRTHS_PER_INTERVAL} every ${REBIRTH_INTERVAL_MS / 1000} s)` : '';
    ctx.logger.info({ group: excerpt(group, 200), edge_node: excerpt(edgeNode, 200) }, `asked Sparkplug edge node ${excerpt(key, 200)} for a rebirth (NCMD Node Control/Rebirth)${more}`);
    unlogged = 0;
  };
}
