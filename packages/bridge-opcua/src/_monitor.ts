import type { ClientMonitoredItemBase, ClientSubscription } from 'node-opcua';
import { settleWithin, withDeadline } from './_deadline.js';
import { dataChangeFilter, eventFilter } from './_filters.js';
import { refusedForSize } from './_items-per-call.js';
import { createSequenceSeen, type SequenceSeen } from './_sequence-seen.js';
import type { Target } from './_targets.js';
import { messageOf } from './errors.js';
import type { OpcuaModule } from './load.js';
import type { Registered } from './notifications.js';

/**
 * One of the subscriptions a session's items are spread over (a server takes at most its
 * MaxMonitoredItemsPerSubscription in one): each has the same publishing settings, its own client
 * handles (node-opcua numbers them per subscription, from 1) and its own message sequence numbers.
 */
export interface Lane {
  subscription: ClientSubscription;
  /** Client handle -> what the records of that handle carry. */
  handles: Map<number, Registered>;
  /** The NotificationMessages of this subscription already handled (duplicates after a reconnect are left out). */
  seen: SequenceSeen;
  /**
   * Items this subscription was found to hold at most: it refused one more with
   * BadTooManyMonitoredItems, from a server that does not say its MaxMonitoredItemsPerSubscription.
   */
  learnedCapacity?: number;
}

/** A new {@link Lane} of `subscription`, nothing monitored on it yet. */
export function newLane(subscription: ClientSubscription): Lane {
  return { subscription, handles: new Map(), seen: createSequenceSeen() };
}

/** Monitored items node-opcua holds on `lane`'s subscription: created, or being created (an item the server refused is taken out). */
export function itemCount(lane: Lane): number {
  return Object.keys(lane.subscription.monitoredItems as Record<number, unknown>).length;
}

/** The status of an item refused because the subscription (or the server) holds no more items. */
export const NO_ROOM = 'BadTooManyMonitoredItems';

/** True when an item's refusal (its status, or its request's failure) says the subscription or the server holds no more items. */
export function refusedForRoom(message: string | undefined): boolean {
  return message !== undefined && message.includes(NO_ROOM);
}

/** What monitoring needs and records. */
export interface MonitorContext {
  opcua: OpcuaModule;
  /** node-opcua's monitored item -> its target, set as soon as the item exists (before the server answers). */
  byItem: WeakMap<object, Target>;
  timeoutMs: number;
}

/** A field of an event monitor the server cannot select. */
export interface FieldRefusal {
  target: Target;
  field: string;
  status: string;
}

interface StatusLike {
  name: string;
  isGood(): boolean;
}

interface MonitoredItemLike {
  statusCode: StatusLike;
  monitoringParameters: { clientHandle: number };
  filterResult?: { selectClauseResults?: StatusLike[] | null } | null;
}

interface SubscriptionInternals {
  _removeMonitoredItem?: (clientHandle: number) => void;
}

/** node-opcua's per-item delivery of a notification, which the bridge does not use. */
interface ItemDispatch {
  _notify_value_change?: (value: unknown) => void;
  _notify_event?: (fields: unknown) => void;
}

const ignore = (): void => undefined;

/**
 * Turns off node-opcua's delivery of each notification to its item (an event on the item,
 * re-emitted by its group, for every value). The bridge reads the subscription's raw
 * notifications instead (see subscription.ts), so that delivery only cost CPU: about 6 % of the
 * bridge's at 10,000 values a second (a perf profile of the OPC UA benchmark's bridge). Set on the
 * item itself, it stays through node-opcua re-creating the item after a reconnect.
 */
function muteDispatch(item: object): void {
  const dispatch = item as ItemDispatch;
  dispatch._notify_value_change = ignore;
  dispatch._notify_event = ignore;
}

function groupKey(t: Target): string {
  if (t.kind === 'event') return `event:${t.key}:${t.label}`;
  return `value:${t.samplingIntervalMs}:${t.queueSize}:${t.deadband ? `${t.deadband.type}:${t.deadband.value}` : ''}`;
}

/**
 * Creates monitored items for `targets` (resolved, state `pending`) on `lane`'s subscription:
 * items sharing sampling settings go in one `ClientMonitoredItemGroup` (requests of at most
 * `perCall.items` items, and one event listener per group rather than per item), each event
 * notifier in its own. A request the server still refuses for its size (BadTooManyOperations) is
 * sent again in halves, and `perCall.items` lowered to the half for the requests after it; one
 * refused as a whole for room (BadTooManyMonitoredItems) is sent again in halves. Each target ends
 * `active` or `refused` with the server's status; a failed request refuses its whole group. Once
 * the subscription refused an item for room (BadTooManyMonitoredItems), the targets not asked
 * for yet are refused so without a request: the caller places them on another subscription.
 * Returns the event fields the server could not select.
 */
export async function monitorTargets(ctx: MonitorContext, lane: Lane, targets: readonly Target[], perCall: CallSize): Promise<FieldRefusal[]> {
  const groups = new Map<string, Target[]>();
  for (const t of targets) {
    const key = groupKey(t);
    const list = groups.get(key) ?? [];
    list.push(t);
    groups.set(key, list);
  }
  const refusals: FieldRefusal[] = [];
  let full = false;
  for (const members of groups.values()) {
    const rest = [...members];
    // Halves of a request refused for room, sent before the rest.
    const halves: Target[][] = [];
    for (let chunk = nextChunk(halves, rest, perCall); chunk.length > 0; chunk = nextChunk(halves, rest, perCall)) {
      if (full) {
        for (const t of chunk) refuse(t, NO_ROOM);
        continue;
      }
      const failure = await createItems(ctx, lane, chunk, refusals);
      if ((refusedForSize(failure) || refusedForRoom(failure)) && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        for (const t of chunk) t.state = 'pending';
        // Too many for one request: so would the rest be. Too many for the room left: the rest may fit, in requests of the size the server takes.
        if (refusedForSize(failure)) {
          perCall.items = half;
          rest.unshift(...chunk);
        } else {
          halves.unshift(chunk.slice(0, half), chunk.slice(half));
        }
        continue;
      }
      full = chunk.some((t) => t.state === 'refused' && refusedForRoom(t.message));
    }
  }
  return refusals;
}

/** The most items one CreateMonitoredItems request carries: lowered for the requests after one the server refused for its size. */
export interface CallSize {
  items: number;
}

/** The next request's targets: a half of one refused for room, else the next of `rest`, as many as `perCall` allows. Empty when none are left. */
function nextChunk(halves: Target[][], rest: Target[], perCall: CallSize): Target[] {
  return halves.shift() ?? rest.splice(0, perCall.items);
}

function refuse(t: Target, message: string): void {
  t.state = 'refused';
  t.message = message;
  delete t.monitored;
  delete t.lane;
}

/** Creates the items of `chunk` in one request; sets each target's state, adds the event fields refused to `refusals`, and resolves with the request's failure, if it failed. */
async function createItems(ctx: MonitorContext, lane: Lane, chunk: Target[], refusals: FieldRefusal[]): Promise<string | undefined> {
  const { opcua } = ctx;
  const { subscription } = lane;
  const first = chunk[0]!;
  const filter = first.kind === 'event' ? eventFilter(opcua, first.selects!, first.minSeverity) : dataChangeFilter(opcua, first.deadband);
  const group = opcua.ClientMonitoredItemGroup.create(
    subscription,
    chunk.map((t) => ({ nodeId: t.resolved!.nodeId, attributeId: t.kind === 'event' ? opcua.AttributeIds.EventNotifier : opcua.AttributeIds.Value })),
    { samplingInterval: first.samplingIntervalMs, queueSize: first.queueSize, discardOldest: true, ...(filter ? { filter } : {}) },
    opcua.TimestampsToReturn.Both,
  );
  const items = group.monitoredItems as unknown as (ClientMonitoredItemBase & MonitoredItemLike)[];
  chunk.forEach((t, i) => ctx.byItem.set(items[i]!, t));
  for (const item of items) muteDispatch(item);
  let failure: string | undefined;
  try {
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        group.once('initialized', () => resolve());
        group.once('terminated', (err?: Error) => reject(err ?? new Error('the monitored items were terminated')));
      }),
      ctx.timeoutMs,
      'creating monitored items',
    );
  } catch (err) {
    failure = messageOf(err);
  }
  for (const [i, t] of chunk.entries()) {
    const item = items[i]!;
    const status = item.statusCode;
    if (failure === undefined && status.isGood()) {
      t.state = 'active';
      t.monitored = item;
      t.lane = lane;
      delete t.message;
      lane.handles.set(item.monitoringParameters.clientHandle, t.registered!);
      const results = item.filterResult?.selectClauseResults ?? [];
      results.forEach((r, f) => {
        if (!r.isGood() && t.selects?.[f]) refusals.push({ target: t, field: t.selects[f].field, status: r.name });
      });
    } else {
      refuse(t, refusedForRoom(failure) ? NO_ROOM : (failure ?? status.name));
      // An item whose request failed stays in node-opcua's table, which would re-create it on
      // the next reconnect next to the retry's own item: take it out.
      if (failure !== undefined) (subscription as unknown as SubscriptionInternals)._removeMonitoredItem?.(item.monitoringParameters.clientHandle);
    }
  }
  return failure;
}

/**
 * Takes an active target out of monitoring, as `refused` with `reason`, so that the next retry
 * creates its item again: its records are no longer expected, and its item is deleted at the
 * server (within 2 s; one the server forgot already is gone anyway).
 */
export async function unmonitorTarget(target: Target, reason: string): Promise<void> {
  const item = target.monitored as unknown as (MonitoredItemLike & { terminate(): Promise<void> }) | undefined;
  const lane = target.lane;
  refuse(target, reason);
  if (!item) return;
  lane?.handles.delete(item.monitoringParameters.clientHandle);
  await settleWithin(() => item.terminate(), 2000);
}
