import { settleWithin } from './_deadline.js';
import { itemsPerCall } from './_items-per-call.js';
import { itemCount, monitorTargets, newLane, NO_ROOM, refusedForRoom, type FieldRefusal, type Lane } from './_monitor.js';
import { createSubscription } from './_subscription-create.js';
import type { Target } from './_targets.js';
import type { RoomShortage, SubscriptionMonitor, Upkeep } from './_upkeep.js';
import { messageOf } from './errors.js';

/**
 * Subscriptions the bridge opens on one session at most, whatever the server allows: each costs
 * the server a publishing timer and the session Publish requests; a server whose items per
 * subscription are so few that this is not enough is told to take more in one.
 */
export const MAX_SUBSCRIPTIONS = 100;

/**
 * Items `lane` can take still: the server's MaxMonitoredItemsPerSubscription, or what it was
 * found to hold (for a subscription not found full yet, what the others were: the limit is the
 * server's, the same for each), less what it holds.
 */
export function roomOf(ctx: SubscriptionMonitor, lane: Lane): number {
  // Without it, a server that refuses a whole request for room would have each new subscription found full again, in halves.
  const most = lane.learnedCapacity ?? itemsPerSubscription(ctx) ?? Infinity;
  return Math.min(ctx.limits.itemsPerSubscription ?? Infinity, most) - itemCount(lane);
}

/** The most items one subscription takes, as the server says it or as its refusals showed; undefined when neither told. */
export function itemsPerSubscription(ctx: SubscriptionMonitor): number | undefined {
  if (ctx.limits.itemsPerSubscription !== undefined) return ctx.limits.itemsPerSubscription;
  const learned = ctx.lanes.map((l) => l.learnedCapacity).filter((n) => n !== undefined);
  return learned.length > 0 ? Math.max(...learned) : undefined;
}

/**
 * Opens one more subscription with the publishing settings of `up`, or says why there can be
 * none: the session has the server's MaxSubscriptionsPerSession already (or the bridge's
 * {@link MAX_SUBSCRIPTIONS}), or the server refused (BadTooManySubscriptions, or another
 * failure). The new lane is attached (`ctx.attach`) and last in `ctx.lanes`.
 */
export async function openLane(up: Upkeep, ctx: SubscriptionMonitor): Promise<Lane | RoomShortage> {
  const count = ctx.lanes.length;
  if (ctx.limits.subscriptionsPerSession !== undefined && count >= ctx.limits.subscriptionsPerSession) return { kind: 'session', subscriptions: count, declared: true };
  if (count >= MAX_SUBSCRIPTIONS) return { kind: 'bridge', subscriptions: count };
  let lane: Lane;
  try {
    lane = newLane(await createSubscription(up));
  } catch (err) {
    const message = messageOf(err);
    return /BadTooManySubscriptions/.test(message) ? { kind: 'session', subscriptions: count, declared: false } : { kind: 'failed', reason: message };
  }
  ctx.lanes.push(lane);
  ctx.attach(lane);
  up.connection.logger.debug({ subscriptions: ctx.lanes.length }, `opened subscription ${ctx.lanes.length} on ${up.connection.endpointUrl}`);
  return lane;
}

/** Deletes `lane`'s subscription at the server (within 2 s) and forgets it. */
export async function closeLane(ctx: SubscriptionMonitor, lane: Lane): Promise<void> {
  const at = ctx.lanes.indexOf(lane);
  if (at >= 0) ctx.lanes.splice(at, 1);
  await settleWithin(() => lane.subscription.terminate(), 2000);
}

/** Closes the subscriptions, but the first, that hold no item any more (a folder's variables gone): each costs the server a timer and keep-alives. */
export async function pruneLanes(ctx: SubscriptionMonitor): Promise<void> {
  for (const lane of ctx.lanes.slice(1)) if (itemCount(lane) === 0) await closeLane(ctx, lane);
}

/**
 * Creates the items of the pending targets of `list`, each on the first subscription with room
 * for it, opening subscriptions (same publishing settings) while items are left and the server
 * gives more. Room is the server's MaxMonitoredItemsPerSubscription where it says it; a
 * subscription that refuses an item with BadTooManyMonitoredItems is full at what it holds, and
 * the items it refused go on to the next one. A new subscription that takes none of them means
 * the server holds no more items at all (its MaxMonitoredItems): it is deleted again. Targets
 * left without a place end `refused` with BadTooManyMonitoredItems, and `ctx.shortage` says
 * why. Resolves with the event fields the server could not select.
 */
export async function placeTargets(up: Upkeep, ctx: SubscriptionMonitor, list: readonly Target[]): Promise<FieldRefusal[]> {
  const queue = list.filter((t) => t.state === 'pending');
  const refusals: FieldRefusal[] = [];
  if (queue.length === 0) return refusals;
  const said = await itemsPerCall({ session: up.connection.session }, ctx.timeoutMs);
  const perCall = { items: Math.min(said, ctx.learnedItemsPerCall ?? said) };
  let shortage: RoomShortage | undefined;
  for (let i = 0; queue.length > 0; i += 1) {
    let lane = ctx.lanes[i];
    if (lane === undefined) {
      const opened = await openLane(up, ctx);
      if (!('subscription' in opened)) {
        shortage = opened;
        break;
      }
      lane = opened;
    }
    const room = roomOf(ctx, lane);
    if (room <= 0) continue;
    const batch = queue.splice(0, room);
    refusals.push(...(await monitorTargets(ctx, lane, batch, perCall)));
    const bounced = batch.filter((t) => t.state === 'refused' && refusedForRoom(t.message));
    if (bounced.length === 0) continue;
    const held = itemCount(lane);
    if (held === 0) {
      // A subscription with nothing on it took none: not its limit, the server's over all.
      shortage = { kind: 'server' };
      if (i > 0) await closeLane(ctx, lane);
      break;
    }
    lane.learnedCapacity = held;
    for (const t of bounced) t.state = 'pending';
    queue.unshift(...bounced);
  }
  for (const t of queue) {
    t.state = 'refused';
    t.message = NO_ROOM;
  }
  if (perCall.items < said) ctx.learnedItemsPerCall = perCall.items;
  if (shortage === undefined) delete ctx.shortage;
  else ctx.shortage = shortage;
  return refusals;
}

/** The fewest items a subscription was found to hold at most, where that is below the MaxMonitoredItemsPerSubscription the server says. */
function fullBelowSaid(ctx: SubscriptionMonitor): number | undefined {
  const said = ctx.limits.itemsPerSubscription ?? Infinity;
  const below = ctx.lanes.flatMap((l) => (l.learnedCapacity !== undefined && l.learnedCapacity < said ? [l.learnedCapacity] : []));
  return below.length > 0 ? Math.min(...below) : undefined;
}

const itemsText = (n: number): string => `${n} ${n === 1 ? 'item' : 'items'}`;

/** Labels named in a refusal for room, per mapping entry; the rest are counted. */
const NAMED = 3;

/**
 * What to change when items found no room, after `ctx.shortage`: which limit of the server's
 * (or the bridge's) stopped them and how many items are without a place. Undefined without a
 * shortage (an item refused for room while node-opcua re-created it after a reconnect): the
 * general hint says it then.
 */
export function roomText(ctx: SubscriptionMonitor, targets: readonly Target[]): string | undefined {
  const shortage = ctx.shortage;
  if (shortage === undefined) return undefined;
  const left = targets.filter((t) => t.state === 'refused' && refusedForRoom(t.message)).length;
  const monitored = targets.filter((t) => t.state === 'active').length;
  const fewer = 'or monitor fewer (fewer nodes, a lower max_items in folders[])';
  const perSubscription = itemsPerSubscription(ctx);
  const below = fullBelowSaid(ctx);
  // A subscription that refused items below the limit the server says met its limit over all clients instead.
  const itemsLimit = below === undefined ? 'MaxMonitoredItemsPerSubscription' : 'MaxMonitoredItems';
  const each =
    ctx.limits.itemsPerSubscription !== undefined
      ? `at most ${itemsText(ctx.limits.itemsPerSubscription)} in each (its MaxMonitoredItemsPerSubscription)${below === undefined ? '' : `, yet one of ${itemsText(below)} refused more (its MaxMonitoredItems over all its clients)`}`
      : perSubscription !== undefined
        ? `${itemsText(perSubscription)} in each at most (it refused more with BadTooManyMonitoredItems)`
        : 'as many items in each as it takes';
  const counts = `${monitored} ${monitored === 1 ? 'item is' : 'items are'} monitored, ${left} ${left === 1 ? 'is' : 'are'} not`;
  switch (shortage.kind) {
    case 'session': {
      const given = shortage.declared
        ? `the server gives a session at most ${shortage.subscriptions} ${shortage.subscriptions === 1 ? 'subscription' : 'subscriptions'} (its MaxSubscriptionsPerSession)`
        : `the server refused a subscription more than the ${shortage.subscriptions} this session has (BadTooManySubscriptions: its MaxSubscriptionsPerSession, or MaxSubscriptions over all its clients)`;
      return `${given} and takes ${each}; ${counts}: raise ${below === undefined ? 'MaxSubscriptionsPerSession or MaxMonitoredItemsPerSubscription' : 'MaxMonitoredItems'} in the server's configuration, ${fewer}`;
    }
    case 'server':
      return `the server monitors no more items over all its clients (its MaxMonitoredItems), not even in a subscription of their own; ${counts}: raise MaxMonitoredItems in the server's configuration, ${fewer}`;
    case 'bridge':
      return `the ${shortage.subscriptions} subscriptions bridge-opcua opens on one session at most are full, with ${each}; ${counts}: raise ${itemsLimit} in the server's configuration, ${fewer}`;
    case 'failed':
      return `the subscriptions this session has are full, with ${each}, and one more could not be created (${shortage.reason}); ${counts}`;
  }
}

/**
 * The refusals for room of `list`, one message per mapping entry naming its items (a folder's
 * variables were refused by the dozen): `[key, message]`, the message ending before the retry.
 */
export function roomRefusals(ctx: SubscriptionMonitor, list: readonly Target[], targets: readonly Target[]): { key: string; message: string }[] | undefined {
  const why = roomText(ctx, targets);
  if (why === undefined) return undefined;
  const byKey = new Map<string, Target[]>();
  for (const t of list) {
    if (t.state !== 'refused' || !refusedForRoom(t.message)) continue;
    const same = byKey.get(t.key) ?? [];
    same.push(t);
    byKey.set(t.key, same);
  }
  return [...byKey].map(([key, refused]) => {
    const more = refused.length - NAMED;
    const what =
      refused.length === 1
        ? refused[0]!.label
        : `${refused.length} items (${refused
            .slice(0, NAMED)
            .map((t) => t.label)
            .join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
    return { key, message: `${key}: the server refused to monitor ${what} (${NO_ROOM}): ${why}` };
  });
}
