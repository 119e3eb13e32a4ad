import type { ClientMonitoredItemBase, ClientSubscription } from 'node-opcua';
import { settleWithin, withDeadline } from './_deadline.js';
import { dataChangeFilter, eventFilter } from './_filters.js';
import { itemsPerCall, refusedForSize } from './_items-per-call.js';
import type { Target } from './_targets.js';
import { messageOf } from './errors.js';
import type { OpcuaModule } from './load.js';
import type { Registered } from './notifications.js';

/** What monitoring needs and records. */
export interface MonitorContext {
  opcua: OpcuaModule;
  subscription: ClientSubscription;
  /** node-opcua's monitored item -> its target, set as soon as the item exists (before the server answers). */
  byItem: WeakMap<object, Target>;
  /** Client handle -> what the records of that handle carry. */
  handles: Map<number, Registered>;
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
 * Creates monitored items for `targets` (resolved, state `pending`): items sharing sampling
 * settings go in one `ClientMonitoredItemGroup` (one request for as many items as the server takes
 * in one call, at most 1000, and one event listener per group rather than per item), each event
 * notifier in its own. A request the server still refuses for its size (BadTooManyOperations) is
 * sent again in halves. Each target ends `active` or `refused` with the server's status; a failed
 * request refuses its whole group. Returns the event fields the server could not select.
 */
export async function monitorTargets(ctx: MonitorContext, targets: readonly Target[]): Promise<FieldRefusal[]> {
  const groups = new Map<string, Target[]>();
  for (const t of targets) {
    const key = groupKey(t);
    const list = groups.get(key) ?? [];
    list.push(t);
    groups.set(key, list);
  }
  const refusals: FieldRefusal[] = [];
  if (groups.size === 0) return refusals;
  const perCall = await itemsPerCall(ctx.subscription, ctx.timeoutMs);
  for (const members of groups.values()) {
    const calls: Target[][] = [];
    for (let start = 0; start < members.length; start += perCall) calls.push(members.slice(start, start + perCall));
    for (let chunk = calls.shift(); chunk !== undefined; chunk = calls.shift()) {
      const failure = await createItems(ctx, chunk, refusals);
      if (refusedForSize(failure) && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        calls.unshift(chunk.slice(0, half), chunk.slice(half));
      }
    }
  }
  return refusals;
}

/** Creates the items of `chunk` in one request; sets each target's state, adds the event fields refused to `refusals`, and resolves with the request's failure, if it failed. */
async function createItems(ctx: MonitorContext, chunk: Target[], refusals: FieldRefusal[]): Promise<string | undefined> {
  const { opcua, subscription } = ctx;
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
      delete t.message;
      ctx.handles.set(item.monitoringParameters.clientHandle, t.registered!);
      const results = item.filterResult?.selectClauseResults ?? [];
      results.forEach((r, f) => {
        if (!r.isGood() && t.selects?.[f]) refusals.push({ target: t, field: t.selects[f].field, status: r.name });
      });
    } else {
      t.state = 'refused';
      t.message = failure ?? status.name;
      delete t.monitored;
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
export async function unmonitorTarget(ctx: Pick<MonitorContext, 'handles'>, target: Target, reason: string): Promise<void> {
  const item = target.monitored as unknown as (MonitoredItemLike & { terminate(): Promise<void> }) | undefined;
  target.state = 'refused';
  target.message = reason;
  delete target.monitored;
  if (!item) return;
  ctx.handles.delete(item.monitoringParameters.clientHandle);
  await settleWithin(() => item.terminate(), 2000);
}
