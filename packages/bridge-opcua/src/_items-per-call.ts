import type { ClientSession } from 'node-opcua';
import { withDeadline } from './_deadline.js';

/** Most items in one CreateMonitoredItems request, whatever the server allows. */
export const MAX_ITEMS_PER_CALL = 1000;

/** Server.ServerCapabilities.OperationLimits.MaxMonitoredItemsPerCall (Part 5, 6.3.11). */
const MAX_MONITORED_ITEMS_PER_CALL_NODE = 'i=11714';
/** The Value attribute. */
const VALUE_ATTRIBUTE = 13;

/**
 * How many items one CreateMonitoredItems request may carry on the server of `subscription`: its
 * MaxMonitoredItemsPerCall when it gives one (a PLC's server may take 100 or fewer; more in one
 * request are all refused with BadTooManyOperations), else {@link MAX_ITEMS_PER_CALL}. A server
 * that does not answer the read within `timeoutMs` (or has no such node: 0 means no limit) gets
 * the default, and a request it still finds too large is split again when refused.
 */
export async function itemsPerCall(subscription: { readonly session: ClientSession }, timeoutMs: number): Promise<number> {
  try {
    // node-opcua's getter throws for a subscription whose session is gone: the request fails on its own then.
    const read = (await withDeadline(subscription.session.read({ nodeId: MAX_MONITORED_ITEMS_PER_CALL_NODE, attributeId: VALUE_ATTRIBUTE }), timeoutMs, 'reading MaxMonitoredItemsPerCall')) as unknown as {
      statusCode: { isGood(): boolean };
      value?: { value?: unknown };
    };
    const limit = read.statusCode.isGood() ? read.value?.value : undefined;
    return typeof limit === 'number' && Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_ITEMS_PER_CALL) : MAX_ITEMS_PER_CALL;
  } catch {
    // No answer in time: the default, halved on a refusal below.
    return MAX_ITEMS_PER_CALL;
  }
}

/** A request the server refused for its size (more items than it takes in one call). */
export function refusedForSize(failure: string | undefined): boolean {
  return failure !== undefined && /BadTooManyOperations/.test(failure);
}
