import type { ClientSubscription } from 'node-opcua';
import { withDeadline } from './_deadline.js';
import { monitorPending, reportFailures } from './_item-setup.js';
import type { Lane } from './_monitor.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';
import { OpcuaBridgeError, messageOf } from './errors.js';

/**
 * Creates the subscription of `up` at the server, within 10 s. Its lifetime bounds what a hold
 * of the flow control or an outage can last before the server drops it (a lifeline publish
 * keeps a hold within it); a keep-alive every 10 s at most, and at least three within the
 * lifetime, as Part 4 (5.13.2) requires. Rejects with `REQUEST_FAILED`.
 */
export async function createSubscription(up: Upkeep): Promise<ClientSubscription> {
  const { connection, options, publishingIntervalMs } = up;
  const lifetimeCount = Math.max(3, Math.ceil((options.subscriptionLifetimeMs ?? 600_000) / publishingIntervalMs));
  const keepAliveCount = Math.max(1, Math.min(Math.ceil(10_000 / publishingIntervalMs), Math.floor(lifetimeCount / 3)));
  try {
    return await withDeadline(
      connection.session.createSubscription2({
        requestedPublishingInterval: publishingIntervalMs,
        requestedLifetimeCount: lifetimeCount,
        requestedMaxKeepAliveCount: keepAliveCount,
        maxNotificationsPerPublish: options.maxNotificationsPerPublish ?? 0,
        publishingEnabled: true,
        priority: 1,
      }),
      10_000,
      'creating the subscription',
    );
  } catch (err) {
    throw new OpcuaBridgeError('REQUEST_FAILED', `cannot create a subscription on ${connection.endpointUrl}: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Queues the re-creation of `lane`'s subscription, which the server closed (no Publish request
 * for its whole lifetime), with every item it had: its targets get a new subscription in its
 * place (placed as at the start: on the first subscription with room), `ctx.attach` listens to
 * it, `then.watchModel` watches the model changes again if their item was on it;
 * `options.onRecreated` is called at the end. The other subscriptions are not touched. When no
 * subscription can be created, the lane is dropped and its items refused, to be placed by the
 * next retry.
 */
export function recreateSubscription(up: Upkeep, ctx: SubscriptionMonitor, lane: Lane, then: { watchModel(): Promise<void> }): Promise<void> {
  return up.serial(async () => {
    if (up.closed || !ctx.lanes.includes(lane)) return;
    const which = ctx.lanes.length > 1 ? `subscription ${ctx.lanes.indexOf(lane) + 1} of ${ctx.lanes.length}` : 'the subscription';
    up.report({ kind: 'subscription_recreated', message: `the server closed ${which} on ${up.connection.endpointUrl} (no Publish request for its whole lifetime); creating it again with every item` });
    lane.handles.clear();
    delete lane.learnedCapacity;
    const orphans = up.targets.filter((t) => t.lane === lane);
    for (const t of orphans) {
      t.state = 'pending';
      delete t.monitored;
      delete t.lane;
    }
    try {
      lane.subscription = await createSubscription(up);
    } catch (err) {
      ctx.lanes.splice(ctx.lanes.indexOf(lane), 1);
      for (const t of orphans) {
        t.state = 'refused';
        t.message = messageOf(err);
      }
      reportFailures(up, ctx, orphans);
      return;
    }
    up.counts.recreations += 1;
    ctx.attach(lane);
    await monitorPending(up, ctx, orphans);
    await then.watchModel();
    reportFailures(up, ctx, orphans.filter((t) => t.state === 'refused'));
    up.options.onRecreated?.();
  });
}
