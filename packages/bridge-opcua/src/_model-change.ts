import type { ClientMonitoredItem, ClientSubscription } from 'node-opcua';
import { settleWithin, withDeadline } from './_deadline.js';
import type { MonitorContext } from './_monitor.js';
import { messageOf } from './errors.js';
import { SERVER_OBJECT } from './item-spec.js';

/**
 * The event types a server raises on its Server object when its address space changes:
 * BaseModelChangeEventType (GeneralModelChangeEventType, i=2133, is one: nodes or references
 * added or deleted) and SemanticChangeEventType (a property such as EURange changed).
 */
const MODEL_CHANGE_TYPES = { BaseModelChangeEventType: 2132, SemanticChangeEventType: 2738 } as const;
const BASE_EVENT_TYPE = 2041;

/** An event item on the Server object that hears of model changes; its notifications are no records. */
export interface ModelChangeWatch {
  /** Deletes the item at the server (within 2 s). */
  stop(): Promise<void>;
}

/**
 * Monitors the model change events of the Server object on `subscription`: one event item
 * selecting EventType, filtered by the server to the model and semantic change types, whose
 * every event calls `onChange`. The item is marked in `ctx.internal` before the server answers,
 * so that its notifications never count as records or unknown items. Resolves with the watch, or
 * with the reason when the server refuses the item (many servers raise no such event, or none
 * without a NodeVersion on the changed nodes; the rescans' period covers them).
 */
export async function watchModelChanges(ctx: MonitorContext & { internal: WeakSet<object> }, subscription: ClientSubscription, onChange: () => void): Promise<{ watch: ModelChangeWatch } | { refused: string }> {
  const { opcua } = ctx;
  const operand = (type: number) =>
    new opcua.ContentFilterElement({
      filterOperator: opcua.FilterOperator.OfType,
      filterOperands: [new opcua.LiteralOperand({ value: new opcua.Variant({ dataType: opcua.DataType.NodeId, value: opcua.makeNodeId(type, 0) }) })],
    });
  const filter = new opcua.EventFilter({
    selectClauses: [
      new opcua.SimpleAttributeOperand({
        typeDefinitionId: opcua.makeNodeId(BASE_EVENT_TYPE, 0),
        browsePath: [new opcua.QualifiedName({ name: 'EventType', namespaceIndex: 0 })],
        attributeId: opcua.AttributeIds.Value,
      }),
    ],
    whereClause: new opcua.ContentFilter({
      elements: [
        new opcua.ContentFilterElement({ filterOperator: opcua.FilterOperator.Or, filterOperands: [new opcua.ElementOperand({ index: 1 }), new opcua.ElementOperand({ index: 2 })] }),
        operand(MODEL_CHANGE_TYPES.BaseModelChangeEventType),
        operand(MODEL_CHANGE_TYPES.SemanticChangeEventType),
      ],
    }),
  });
  const item: ClientMonitoredItem = opcua.ClientMonitoredItem.create(
    subscription,
    { nodeId: opcua.resolveNodeId(SERVER_OBJECT), attributeId: opcua.AttributeIds.EventNotifier },
    { samplingInterval: 0, queueSize: 100, discardOldest: true, filter },
    opcua.TimestampsToReturn.Neither,
  );
  ctx.internal.add(item);
  try {
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        item.once('initialized', () => resolve());
        item.once('err', (message: string) => reject(new Error(message)));
      }),
      ctx.timeoutMs,
      'creating the model change item',
    );
  } catch (err) {
    await settleWithin(() => item.terminate(), 2000);
    return { refused: messageOf(err) };
  }
  item.on('changed', () => onChange());
  return { watch: { stop: () => settleWithin(() => item.terminate(), 2000) } };
}
