import type { ClientSession } from 'node-opcua';
import { withDeadline } from './_deadline.js';

/** Server.ServerCapabilities.MaxMonitoredItemsPerSubscription (Part 5, 6.3.2; new in 1.05). */
const MAX_MONITORED_ITEMS_PER_SUBSCRIPTION_NODE = 'i=24104';
/** Server.ServerCapabilities.MaxSubscriptionsPerSession (Part 5, 6.3.2; new in 1.05). */
const MAX_SUBSCRIPTIONS_PER_SESSION_NODE = 'i=24098';
/** The Value attribute. */
const VALUE_ATTRIBUTE = 13;

/** What a server says it allows a session's subscriptions, where it says it (undefined: not said, or 0, which means no limit). */
export interface ServerLimits {
  /** MaxMonitoredItemsPerSubscription: items one subscription holds at most. */
  itemsPerSubscription?: number;
  /** MaxSubscriptionsPerSession: subscriptions one session has at most. */
  subscriptionsPerSession?: number;
}

interface DataValueLike {
  statusCode: { isGood(): boolean };
  value?: { value?: unknown };
}

const limitOf = (read: DataValueLike | undefined): number | undefined => {
  const value = read?.statusCode.isGood() ? read.value?.value : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
};

/**
 * Reads the server's MaxMonitoredItemsPerSubscription and MaxSubscriptionsPerSession in one
 * request, within `timeoutMs`. Servers before OPC UA 1.05 (most PLCs in the field) have neither
 * node: the limits are then undefined, and learned from the server's refusals
 * (`BadTooManyMonitoredItems`, `BadTooManySubscriptions`) instead. Never rejects.
 */
export async function readServerLimits(session: ClientSession, timeoutMs: number): Promise<ServerLimits> {
  try {
    const reads = (await withDeadline(
      session.read([
        { nodeId: MAX_MONITORED_ITEMS_PER_SUBSCRIPTION_NODE, attributeId: VALUE_ATTRIBUTE },
        { nodeId: MAX_SUBSCRIPTIONS_PER_SESSION_NODE, attributeId: VALUE_ATTRIBUTE },
      ]),
      timeoutMs,
      'reading the subscription limits',
    )) as unknown as DataValueLike[];
    const itemsPerSubscription = limitOf(reads[0]);
    const subscriptionsPerSession = limitOf(reads[1]);
    return {
      ...(itemsPerSubscription === undefined ? {} : { itemsPerSubscription }),
      ...(subscriptionsPerSession === undefined ? {} : { subscriptionsPerSession }),
    };
  } catch {
    // No answer in time: no limit known; the server's refusals tell them.
    return {};
  }
}
