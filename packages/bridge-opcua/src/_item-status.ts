import { itemsPerSubscription } from './_lanes.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';
import type { FlowControl } from './flow-control.js';
import type { Target } from './_targets.js';
import type { EventQueue, ItemSampling, ItemStatus, SubscriptionStats } from './subscription-types.js';

/** What `t`'s item was granted, once monitored (node-opcua keeps the revised values in its parameters). */
function grantedOf(t: Target): { samplingInterval?: unknown; queueSize?: unknown } | undefined {
  return t.state === 'active' ? (t.monitored as unknown as { monitoringParameters?: { samplingInterval?: unknown; queueSize?: unknown } } | undefined)?.monitoringParameters : undefined;
}

/** What a variable's item asked for and the server granted, once monitored. */
function samplingOf(t: Target): ItemSampling | undefined {
  const granted = grantedOf(t);
  if (t.kind !== 'value' || typeof granted?.samplingInterval !== 'number' || typeof granted.queueSize !== 'number') return undefined;
  return { askedIntervalMs: t.samplingIntervalMs, grantedIntervalMs: granted.samplingInterval, askedQueueSize: t.queueSize, grantedQueueSize: granted.queueSize };
}

/** The queue an event notifier's item asked for and the server granted, once monitored. */
function eventQueueOf(t: Target): EventQueue | undefined {
  const granted = grantedOf(t);
  if (t.kind !== 'event' || typeof granted?.queueSize !== 'number') return undefined;
  return { askedSize: t.queueSize, grantedSize: granted.queueSize };
}

/** Each item of `up`, and one `unresolved` entry per folder not found yet. */
export function itemStatuses(up: Upkeep): ItemStatus[] {
  return [
    ...up.targets.map((t) => {
      const sampling = samplingOf(t);
      const eventQueue = eventQueueOf(t);
      return {
        key: t.key,
        kind: t.kind,
        label: t.label,
        ...(t.resolved ? { nodeId: t.resolved.text } : {}),
        ...(t.browsePath ? { browsePath: t.browsePath } : {}),
        state: t.state,
        ...(t.message ? { message: t.message } : {}),
        ...(sampling ? { sampling } : {}),
        ...(eventQueue ? { eventQueue } : {}),
      };
    }),
    // A folder not found yet stands for the variables it will give: one unresolved entry.
    ...up.pendingFolders.map((f) => ({ key: f.spec.key, kind: 'value' as const, label: f.location.text, state: 'unresolved' as const, ...(f.message ? { message: f.message } : {}) })),
  ];
}

/**
 * How long the server keeps the subscriptions of `ctx` without a Publish request, in ms: the
 * shortest of their revised lifetimes (what a hold must stay within); with none, what `up` asks.
 */
export function lifetimeMsOf(up: Upkeep, ctx: SubscriptionMonitor): number {
  const each = ctx.lanes.map((l) => l.subscription.lifetimeCount * l.subscription.publishingInterval);
  return each.length > 0 ? Math.min(...each) : (up.options.subscriptionLifetimeMs ?? 600_000);
}

/** The counters of `up` with the item states and what the server granted its subscriptions (all asked alike). */
export function subscriptionStats(up: Upkeep, ctx: SubscriptionMonitor, flow: FlowControl): SubscriptionStats {
  const { targets } = up;
  const perSubscription = itemsPerSubscription(ctx);
  return {
    ...up.counts,
    active: targets.filter((t) => t.state === 'active').length,
    refused: targets.filter((t) => t.state === 'refused').length,
    unresolved: targets.filter((t) => t.state === 'unresolved').length + up.pendingFolders.length,
    subscriptions: ctx.lanes.length,
    ...(perSubscription === undefined ? {} : { itemsPerSubscription: perSubscription }),
    publishingIntervalMs: ctx.lanes.length > 0 ? Math.max(...ctx.lanes.map((l) => l.subscription.publishingInterval)) : up.publishingIntervalMs,
    lifetimeMs: lifetimeMsOf(up, ctx),
    flow: flow.stats(),
  };
}
