import {
  decodeDataValue,
  decodeEventFields,
  type DataValueLike,
  type DecodeProblem,
  type EventItem,
  type EventRecord,
  type RecordOptions,
  type ValueItem,
  type ValueRecord,
} from './records.js';
import type { VariantLike } from './values.js';

/** What a client handle stands for: a mapping's value or event item, or one the client keeps for itself (its notifications are no records). */
export type Registered = { kind: 'value'; item: ValueItem } | { kind: 'event'; item: EventItem } | { kind: 'internal' };

/** Finds what a client handle stands for. */
export interface HandleLookup {
  get(clientHandle: number): Registered | undefined;
}

/** The records of one NotificationMessage (one Publish response). */
export interface NotificationBatch {
  values: ValueRecord[];
  events: EventRecord[];
  problems: DecodeProblem[];
  /** The message's sequence number: what its acknowledgement names. */
  sequenceNumber: number;
  /** StatusChangeNotifications in the message (e.g. `BadTimeout`: the server closed the subscription). */
  statusChanges: number[];
}

/** The parts of a node-opcua NotificationMessage the decoding reads. */
export interface NotificationMessageLike {
  sequenceNumber: number;
  /** When the server sent it first: the same in a Republish answer of the message. */
  publishTime?: Date | null;
  notificationData?: readonly (NotificationDataLike | null | undefined)[] | null;
}

interface NotificationDataLike {
  schema?: { name?: string };
  monitoredItems?: readonly ({ clientHandle: number; value?: DataValueLike | null } | null)[] | null;
  events?: readonly ({ clientHandle: number; eventFields?: readonly (VariantLike | null)[] | null } | null)[] | null;
  status?: { value: number } | number;
}

/**
 * Decodes one NotificationMessage: each data change of a known client handle into a value
 * record, each event into an event record; an unknown handle (an item deleted while the
 * message travelled) or a value that cannot be sent becomes a problem and the rest goes on.
 * Pure; never throws.
 */
export function decodeNotificationMessage(message: NotificationMessageLike, handles: HandleLookup, receivedAtMs: number, options: RecordOptions = {}): NotificationBatch {
  const batch: NotificationBatch = { values: [], events: [], problems: [], sequenceNumber: message?.sequenceNumber ?? -1, statusChanges: [] };
  const data = message?.notificationData;
  if (!Array.isArray(data)) return batch;
  let unknown = 0;
  for (const notification of data) {
    if (!notification || typeof notification !== 'object') continue;
    const name = notification.schema?.name;
    if (name === 'StatusChangeNotification' || (name === undefined && notification.status !== undefined)) {
      const status = notification.status;
      batch.statusChanges.push(typeof status === 'number' ? status : (status?.value ?? 0));
      continue;
    }
    for (const change of Array.isArray(notification.monitoredItems) ? notification.monitoredItems : []) {
      const registered = change ? handles.get(change.clientHandle) : undefined;
      if (registered?.kind === 'internal') continue;
      if (!registered || registered.kind !== 'value') {
        unknown++;
        continue;
      }
      const decoded = decodeDataValue(registered.item, change!.value, receivedAtMs, options);
      if (decoded.record) batch.values.push(decoded.record);
      else batch.problems.push(decoded.problem);
    }
    for (const event of Array.isArray(notification.events) ? notification.events : []) {
      const registered = event ? handles.get(event.clientHandle) : undefined;
      if (registered?.kind === 'internal') continue;
      if (!registered || registered.kind !== 'event') {
        unknown++;
        continue;
      }
      const decoded = decodeEventFields(registered.item, event!.eventFields, receivedAtMs, options);
      if (decoded.record) batch.events.push(decoded.record);
      batch.problems.push(...decoded.problems);
    }
  }
  if (unknown > 0) batch.problems.push({ kind: 'unknown_item', message: `${unknown} notification(s) for items this client does not monitor (deleted while in flight)` });
  return batch;
}
