import type { ClientSubscription } from 'node-opcua';
import { settleWithin } from './_deadline.js';
import { createFolderUpkeep } from './_folder-upkeep.js';
import { checkAfterRestore, retryFailed, withdrawGone } from './_item-retry.js';
import { monitorPending, reportFailures, resolveAll } from './_item-setup.js';
import { itemStatuses, lifetimeMsOf, subscriptionStats } from './_item-status.js';
import { newLane, type Lane } from './_monitor.js';
import { moveToNamespaces } from './_namespace-move.js';
import { createHandleLookup, createMessageHandler } from './_notification-router.js';
import { recordOptionsFor } from './_record-options.js';
import { readServerLimits } from './_server-limits.js';
import { createSubscription, recreateSubscription } from './_subscription-create.js';
import { planTargets } from './_targets.js';
import { createUpkeep, type SubscriptionMonitor } from './_upkeep.js';
import type { ConnectionEvent, OpcuaConnection } from './connection.js';
import { OpcuaBridgeError } from './errors.js';
import { asPublishEngine, createFlowControl } from './flow-control.js';
import type { OpcuaSubscription, SubscriptionOptions } from './subscription-types.js';

/**
 * Subscribes to `options.variables`, the variables below `options.folders` and the events of
 * `options.events` on `connection`: resolves every node (node ids, `nsu=` URIs, browse paths),
 * creates a subscription with the items in groups, and hands `onData` the records of each
 * NotificationMessage. A server that takes fewer items in one subscription than there are (its
 * MaxMonitoredItemsPerSubscription, or its BadTooManyMonitoredItems) gets more subscriptions with
 * the same settings, as many as it gives a session (MaxSubscriptionsPerSession); items left
 * without one are reported by name with the limit to raise. Items the server refuses are reported
 * by name and tried again every `retryRefusedMs` while the rest flow. After a reconnect it checks
 * what node-opcua re-created (every subscription), moves items to new namespace indexes when the
 * server reordered them, and re-creates a subscription the server dropped; after one with a new
 * session (a server restart) it tries the items not monitored and the folders not found at once,
 * and browses the folders again. Rejects with
 * `NODE_INVALID` for a malformed spec and `REQUEST_FAILED` when the first subscription cannot be
 * created.
 */
export async function subscribe(connection: OpcuaConnection, options: SubscriptionOptions): Promise<OpcuaSubscription> {
  const { opcua, session } = connection;
  const publishingIntervalMs = options.publishingIntervalMs ?? 1000;
  if (!(publishingIntervalMs >= 10 && publishingIntervalMs <= 3_600_000)) {
    throw new OpcuaBridgeError('NODE_INVALID', `publishing interval ${publishingIntervalMs} ms is outside 10..3600000`, { retryable: false });
  }
  const plan = planTargets(options, publishingIntervalMs);
  const up = createUpkeep(connection, options, publishingIntervalMs, plan);
  const timeoutMs = 30_000;

  await resolveAll(up, up.targets);
  const limits = await readServerLimits(session, timeoutMs);
  const first = newLane(await createSubscription(up));
  const ctx: SubscriptionMonitor = { opcua, lanes: [first], byItem: new WeakMap(), timeoutMs, internal: new WeakSet(), limits, attach: (lane) => attach(lane) };
  const folderUpkeep = createFolderUpkeep(up, ctx, plan.folders);
  const recordOptions = recordOptionsFor(connection);
  const onGone = (gone: Parameters<typeof withdrawGone>[2]): void => void withdrawGone(up, ctx, gone, (list) => void folderUpkeep.rescan(list));
  const attach = (lane: Lane): void => {
    const sub: ClientSubscription = lane.subscription;
    // A new subscription numbers its messages from 1 again.
    lane.seen.reset();
    sub.on('raw_notification', createMessageHandler(up, createHandleLookup(ctx, lane), recordOptions, onGone, lane.seen) as never);
    // node-opcua re-created it on a new session (the server no longer had it): the items too.
    sub.on('subscriptionId_changed' as never, () => {
      lane.seen.reset();
      up.counts.recreations += 1;
    });
    sub.on('status_changed', (status: { name?: string }) => {
      if (status?.name === 'BadTimeout' && !up.closed && lane.subscription === sub) void recreateSubscription(up, ctx, lane, { watchModel: folderUpkeep.watchModel });
    });
  };

  const onConnection = (event: ConnectionEvent): void => {
    if (event.type === 'namespaces_changed') {
      moveToNamespaces(opcua, up.targets, event.after);
    } else if (event.type === 'restored') {
      flow.reapply();
      // A server that restarted (its session is new) may have restarted for a new address space
      // (a PLC program download): its folders are browsed again now rather than at their period.
      void checkAfterRestore(up, ctx, event, folderUpkeep.watchModel).then(() => (event.sessionRecreated ? folderUpkeep.rescanAll() : undefined));
    }
  };

  // One publish engine per session: holding it holds every subscription.
  const flow = createFlowControl(asPublishEngine((session as unknown as { getPublishEngine(): unknown }).getPublishEngine()), {
    lifetimeMs: () => lifetimeMsOf(up, ctx),
    subscriptions: () => ctx.lanes.length,
    canResume: () => connection.state() === 'connected',
  });
  attach(first);
  await monitorPending(up, ctx, up.targets);
  await folderUpkeep.watchModel();
  reportFailures(up, ctx, up.targets);
  const unlisten = connection.onEvent(onConnection);
  const retry = (): Promise<void> => retryFailed(up, ctx);
  const retryTimer = options.retryTimer === false ? undefined : setInterval(() => void retry(), up.retryMs).unref();
  const rescanTimers = folderUpkeep.startTimers();

  return {
    flow,
    items: () => itemStatuses(up),
    stats: () => subscriptionStats(up, ctx, flow),
    retryNow: retry,
    rescanNow: folderUpkeep.rescanAll,
    async close() {
      if (up.closed) return;
      up.closed = true;
      clearInterval(retryTimer);
      for (const timer of rescanTimers) clearInterval(timer);
      unlisten();
      flow.dispose();
      await Promise.all(ctx.lanes.map((lane) => settleWithin(() => lane.subscription.terminate(), 2000)));
    },
  };
}
