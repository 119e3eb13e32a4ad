import type { OpcuaTestServer } from '../../src/server.js';
import { unsayItemsPerSubscription } from './servers.js';

interface CreateRequest {
  request: { subscriptionId: number; itemsToCreate: unknown[] | null };
  session?: { getSubscription(id: number): { monitoredItemCount: number } | null };
}
interface Channel {
  send_response(type: 'MSG', response: unknown, message: CreateRequest): void;
}
type Handlers = Record<string, (message: CreateRequest, channel: Channel) => unknown>;

/** The CreateMonitoredItems requests a {@link refuseWholeRequests} server refused, per subscription id. */
export interface WholeRefusals {
  readonly refused: Map<number, number>;
}

/**
 * Makes `server` refuse a CreateMonitoredItems request as a whole, its service result
 * BadTooManyMonitoredItems and no result per item, when its items would take the subscription
 * past `perSubscription`: some vendors' servers do so, where node-opcua's refuses only the
 * items past it, one by one. The server does not say the limit (its
 * MaxMonitoredItemsPerSubscription node is deleted), as servers before OPC UA 1.05.
 */
export async function refuseWholeRequests(server: OpcuaTestServer, perSubscription: number): Promise<WholeRefusals> {
  const opcua = await import('node-opcua');
  unsayItemsPerSubscription(server);
  const refused = new Map<number, number>();
  // node-opcua's server dispatches each request to its `_on_<RequestName>` method, looked up when the request arrives.
  const handlers = server.server as unknown as Handlers;
  const create = handlers._on_CreateMonitoredItemsRequest!.bind(server.server);
  handlers._on_CreateMonitoredItemsRequest = (message, channel) => {
    const { subscriptionId, itemsToCreate } = message.request;
    const held = message.session?.getSubscription(subscriptionId)?.monitoredItemCount ?? 0;
    if (held + (itemsToCreate?.length ?? 0) <= perSubscription) return create(message, channel);
    refused.set(subscriptionId, (refused.get(subscriptionId) ?? 0) + 1);
    channel.send_response('MSG', new opcua.ServiceFault({ responseHeader: { serviceResult: opcua.StatusCodes.BadTooManyMonitoredItems } }), message);
    return undefined;
  };
  return { refused };
}
