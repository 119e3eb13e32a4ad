import type { ClientSubscription } from 'node-opcua';
import { withDeadline } from './_deadline.js';
import { monitorPending, reportFailures } from './_item-setup.js';
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
 * Queues the re-creation of a subscription the server closed (no Publish request for its whole
 * lifetime) with every item it had: `attach` listens to the new one, `watchModel` watches its
 * model changes again; `options.onRecreated` is called at the end.
 */
export function recreateSubscription(
  up: Upkeep,
  ctx: SubscriptionMonitor,
  then: { attach(subscription: ClientSubscription): void; watchModel(): Promise<void> },
): Promise<void> {
  return up.serial(async () => {
    up.report({ kind: 'subscription_recreated', message: `the server closed the subscription on ${up.connection.endpointUrl} (no Publish request for its whole lifetime); creating it again with every item` });
    ctx.handles.clear();
    for (const t of up.targets) {
      if (t.state !== 'active') continue;
      t.state = 'pending';
      delete t.monitored;
    }
    const subscription = await createSubscription(up);
    up.counts.recreations += 1;
    ctx.subscription = subscription;
    then.attach(subscription);
    await monitorPending(up, ctx, up.targets);
    await then.watchModel();
    reportFailures(up, up.targets.filter((t) => t.state === 'refused'));
    up.options.onRecreated?.();
  });
}
