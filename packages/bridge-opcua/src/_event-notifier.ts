import type { ClientSession } from 'node-opcua';
import type { ResolvedNode } from './resolve-nodes.js';

/** The EventNotifier attribute (Part 3, 5.2.1), which only objects, views and the Server object have. */
const EVENT_NOTIFIER_ATTRIBUTE = 12;
/** Its SubscribeToEvents bit (Part 3, 8.59): the node may be subscribed to for events. */
const SUBSCRIBE_TO_EVENTS = 1;

const INSTEAD = 'name an object that reports events, or leave node_id and browse_path out for the Server object, which reports every event of the server';

/**
 * Why `node` cannot be monitored for events, or undefined when it can, or when the server would
 * not say (the item's creation then reports what it says). A server may accept an event item on
 * a node without SubscribeToEvents (node-opcua's does) and then never send an event on it: said
 * here, the entry is reported instead of staying silent. One read.
 */
export async function notifierProblem(session: ClientSession, node: ResolvedNode): Promise<string | undefined> {
  const read = (await session.read({ nodeId: node.nodeId, attributeId: EVENT_NOTIFIER_ATTRIBUTE })) as unknown as {
    statusCode: { name: string; isGood(): boolean };
    value?: { value?: unknown };
  };
  if (read.statusCode.name === 'BadAttributeIdInvalid') return `${node.text} reports no events: it has no EventNotifier attribute (a variable?); ${INSTEAD}`;
  const bits = read.statusCode.isGood() ? read.value?.value : undefined;
  if (typeof bits === 'number' && (bits & SUBSCRIBE_TO_EVENTS) === 0) {
    return `${node.text} reports no events: its EventNotifier attribute does not have SubscribeToEvents; ${INSTEAD}`;
  }
  return undefined;
}
