import { createHash } from 'node:crypto';
import type { IPublishPacket } from 'mqtt';

/** The largest MQTT 5 Subscription Identifier (a variable byte integer). */
const MAX_ID = 268_435_455;

/**
 * MQTT 5 Subscription Identifiers for the filters, one each: drawn from the filter itself, so a
 * filter keeps its identifier across restarts and reorderings of the mapping (what a persistent
 * session queued carries the identifier it was subscribed with). Undefined for filters whose
 * identifiers would collide, which are then subscribed without one.
 */
export function subscriptionIds(filters: readonly string[]): (number | undefined)[] {
  const ids = filters.map((f) => (createHash('sha256').update(f).digest().readUInt32BE(0) % MAX_ID) + 1);
  return ids.map((id, i) => (ids.some((other, j) => j !== i && other === id && filters[j] !== filters[i]) ? undefined : id));
}

/** The Subscription Identifiers a PUBLISH carries: the subscriptions it was delivered for; undefined when none. */
export function deliveredFor(packet: IPublishPacket): readonly number[] | undefined {
  const ids = packet.properties?.subscriptionIdentifier;
  if (ids === undefined) return undefined;
  return Array.isArray(ids) ? ids : [ids];
}

/**
 * True when a message is another subscription's copy of one the routed subscription takes: an
 * MQTT 5 broker sends a message once per matching subscription (mosquitto does), each copy naming
 * its own; the message is decoded from the routed subscription's copy only, not once per copy.
 * False when the copies cannot be told apart (no identifiers, or none of the mapping's).
 */
export function isOtherCopy(delivered: readonly number[] | undefined, routed: number | undefined, known: ReadonlySet<number>): boolean {
  if (delivered === undefined || routed === undefined || delivered.includes(routed)) return false;
  return delivered.some((id) => known.has(id));
}
