/**
 * Messages remembered per subscription: more than a server keeps for retransmission
 * (node-opcua's server keeps a few dozen NotificationMessages; Part 4, 5.13.1.1 asks for at least
 * two per Publish request queued).
 */
export const SEEN_MESSAGES = 1024;

/**
 * The NotificationMessages of one subscription already handled, by sequence number and publish
 * time. node-opcua can hand the bridge one message twice after a reconnect that kept the session:
 * its Republish loop asks for every number from the last one it saw, and a Publish answer on the
 * new channel may bring the same message first (or a Republish answer moves its "last seen" back),
 * so the values would be written twice. A Republish answer carries the message as first sent,
 * publish time included; a subscription made anew numbers its messages from 1 again, at other
 * times, so the pair tells a message sent again from a new one without knowing when the server
 * started over. Bounded to the last {@link SEEN_MESSAGES}.
 */
export interface SequenceSeen {
  /** True the first time message `sequenceNumber` published at `publishTimeMs` is offered (since the last reset), false after. */
  first(sequenceNumber: number, publishTimeMs: number): boolean;
  /** Forgets every message: the subscription is a new one. */
  reset(): void;
}

/** A fresh {@link SequenceSeen}. */
export function createSequenceSeen(): SequenceSeen {
  const seen = new Map<number, number>();
  const order: number[] = [];
  return {
    first(sequenceNumber, publishTimeMs) {
      const before = seen.get(sequenceNumber);
      if (before === publishTimeMs) return false;
      if (before === undefined) {
        order.push(sequenceNumber);
        if (order.length > SEEN_MESSAGES) seen.delete(order.shift()!);
      }
      seen.set(sequenceNumber, publishTimeMs);
      return true;
    },
    reset() {
      seen.clear();
      order.length = 0;
    },
  };
}
