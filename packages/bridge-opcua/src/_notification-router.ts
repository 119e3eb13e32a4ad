import { goneTargets } from './_gone-nodes.js';
import type { Lane } from './_monitor.js';
import type { SequenceSeen } from './_sequence-seen.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';
import { decodeNotificationMessage, type HandleLookup, type NotificationMessageLike, type Registered } from './notifications.js';
import type { RecordOptions } from './records.js';

const INTERNAL: Registered = { kind: 'internal' };

/**
 * Finds what the records of a client handle of `lane`'s subscription carry (each subscription
 * numbers its handles from 1). A notification can name an item whose creation answer has not
 * been handled yet: it is found through node-opcua's table and the item -> target map filled
 * when the item was made, and remembered.
 */
export function createHandleLookup(ctx: SubscriptionMonitor, lane: Lane): HandleLookup {
  return {
    get(clientHandle) {
      const known = lane.handles.get(clientHandle);
      if (known) return known;
      const item = (lane.subscription.monitoredItems as Record<number, object | undefined>)[clientHandle];
      if (item && ctx.internal.has(item)) return INTERNAL;
      const target = item ? ctx.byItem.get(item) : undefined;
      if (target?.registered) lane.handles.set(clientHandle, target.registered);
      return target?.registered;
    },
  };
}

/**
 * The handler of each NotificationMessage: decodes it into records, counts them in `up.counts`,
 * hands them to `options.onData` (whose exceptions are logged) and passes the targets whose node
 * the message says is gone to `onGone`. A message `seen` already had (its sequence number and
 * publish time) is counted as a duplicate and left out: one `seen` per subscription, whose
 * messages it numbers.
 */
export function createMessageHandler(
  up: Upkeep,
  lookup: HandleLookup,
  recordOptions: () => RecordOptions,
  onGone: (gone: ReturnType<typeof goneTargets>) => void,
  seen: SequenceSeen,
): (message: NotificationMessageLike) => void {
  const now = up.options.now ?? Date.now;
  const { counts } = up;
  return (message) => {
    if (!message?.notificationData?.length) return;
    const publishTimeMs = message.publishTime instanceof Date ? message.publishTime.getTime() : Number.NaN;
    // Without a publish time (NaN never equals itself) a message is never taken for one seen.
    if (typeof message.sequenceNumber === 'number' && !seen.first(message.sequenceNumber, publishTimeMs)) {
      counts.duplicates += 1;
      return;
    }
    const batch = decodeNotificationMessage(message, lookup, now(), recordOptions());
    counts.messages += 1;
    counts.values += batch.values.length;
    counts.events += batch.events.length;
    counts.decodeProblems += batch.problems.length;
    for (const v of batch.values) if (v.overflow) counts.overflows += 1;
    try {
      up.options.onData(batch);
    } catch (err) {
      up.connection.logger.error({ err }, 'the onData handler threw');
    }
    const gone = goneTargets(batch, up.targets);
    if (gone.length > 0) onGone(gone);
  };
}
