import type { ClientSubscription } from 'node-opcua';
import { settleWithin, withDeadline } from './_deadline.js';
import { rescanFolder, rescanText } from './_folder-rescan.js';
import { goneTargets } from './_gone-nodes.js';
import { watchModelChanges } from './_model-change.js';
import { monitorTargets, unmonitorTarget, type MonitorContext } from './_monitor.js';
import { refusalHint } from './_refusal-hint.js';
import { walkFolder } from './_folder-walk.js';
import { expandFolders, ITEM_DEFAULTS, planTargets, resolveTargets, type ExpandedFolder, type FolderWalker, type PendingFolder, type Target } from './_targets.js';
import type { ConnectionEvent, OpcuaConnection } from './connection.js';
import { OpcuaBridgeError, messageOf } from './errors.js';
import { asPublishEngine, createFlowControl } from './flow-control.js';
import { resolveNodeRef } from './node-ref.js';
import { decodeNotificationMessage, type HandleLookup, type NotificationMessageLike, type Registered } from './notifications.js';
import { statusNamesFrom } from './quality.js';
import type { RecordOptions } from './records.js';
import { createNodeResolver, type ResolvedNode } from './resolve-nodes.js';
import type { OpcuaSubscription, SubscriptionOptions, SubscriptionProblem } from './subscription-types.js';

const statusNameTables = new WeakMap<object, ReadonlyMap<number, string>>();
const eventTypeTables = new WeakMap<object, ReadonlyMap<string, string>>();

function recordOptionsFor(connection: OpcuaConnection): () => RecordOptions {
  const { opcua } = connection;
  let statusNames = statusNameTables.get(opcua);
  if (!statusNames) statusNameTables.set(opcua, (statusNames = statusNamesFrom(opcua.StatusCodes)));
  let eventTypeNames = eventTypeTables.get(opcua);
  if (!eventTypeNames) {
    eventTypeNames = new Map(Object.entries(opcua.ObjectTypeIds).flatMap(([name, id]) => (typeof id === 'number' ? [[`i=${id}`, name] as const] : [])));
    eventTypeTables.set(opcua, eventTypeNames);
  }
  const fixed = { statusNames, eventTypeNames };
  return () => ({ ...fixed, namespaces: connection.namespaces() });
}

/**
 * Subscribes to `options.variables`, the variables below `options.folders` and the events of
 * `options.events` on `connection`: resolves every node (node ids, `nsu=` URIs, browse paths),
 * creates one subscription with the items in groups, and hands `onData` the records of each
 * NotificationMessage. Items the server refuses are reported by name and tried again every
 * `retryRefusedMs` while the rest flow. After a reconnect it checks what node-opcua re-created,
 * moves items to new namespace indexes when the server reordered them, and re-creates the
 * subscription when the server dropped it. Rejects with `NODE_INVALID` for a malformed spec and
 * `REQUEST_FAILED` when the subscription cannot be created.
 */
export async function subscribe(connection: OpcuaConnection, options: SubscriptionOptions): Promise<OpcuaSubscription> {
  const { opcua, session, logger } = connection;
  const publishingIntervalMs = options.publishingIntervalMs ?? 1000;
  if (!(publishingIntervalMs >= 10 && publishingIntervalMs <= 3_600_000)) {
    throw new OpcuaBridgeError('NODE_INVALID', `publishing interval ${publishingIntervalMs} ms is outside 10..3600000`, { retryable: false });
  }
  const now = options.now ?? Date.now;
  const recordOptions = recordOptionsFor(connection);
  const plan = planTargets(options, publishingIntervalMs);
  const targets: Target[] = plan.targets;
  let pendingFolders: PendingFolder[] = plan.folders;
  // The folders found, kept in step with the server by rescans.
  const folders: ExpandedFolder[] = [];
  const rescanMsOf = (f: { spec: { rescanMs?: number } }): number => f.spec.rescanMs ?? ITEM_DEFAULTS.folderRescanMs;
  const counts = { messages: 0, values: 0, events: 0, decodeProblems: 0, overflows: 0, recreations: 0 };
  const report = (problem: SubscriptionProblem): void => {
    // A handler decides how to log (the bridge logs once per episode); without one, every problem is logged.
    if (!options.onProblem) {
      logger.warn({ item: problem.item, kind: problem.kind }, problem.message);
      return;
    }
    try {
      options.onProblem(problem);
    } catch (err) {
      logger.error({ err }, 'the onProblem handler threw');
    }
  };
  const reportFailures = (list: readonly Target[]): void => {
    for (const t of list) {
      if (t.state === 'refused') report({ kind: 'item_refused', item: t.key, message: `${t.key}: the server refused to monitor ${t.label} (${t.message})${refusalHint(t, t.message ?? '')}; trying again every ${(options.retryRefusedMs ?? 60_000) / 1000} s` });
      if (t.state === 'unresolved') report({ kind: 'node_unresolved', item: t.key, message: `${t.key}: ${t.message}; trying again every ${(options.retryRefusedMs ?? 60_000) / 1000} s` });
    }
  };

  const walkerFor = (namespaces: readonly string[]): FolderWalker => (folder: ResolvedNode, maxDepth: number, maxItems: number) => walkFolder(session, folder, namespaces, maxDepth, maxItems);
  const resolveAll = async (list: Target[]): Promise<Target[]> => {
    const namespaces = connection.namespaces();
    const resolver = createNodeResolver(session, namespaces);
    await resolveTargets(resolver, list);
    const expanded = await expandFolders(resolver, walkerFor(namespaces), pendingFolders, publishingIntervalMs);
    pendingFolders = expanded.pending;
    folders.push(...expanded.folders);
    for (const { key, message } of expanded.truncated) report({ kind: 'folder_truncated', item: key, message });
    // Each folder is expanded once per subscription: said once.
    for (const { key, message } of expanded.notes) logger.info({ item: key }, message);
    for (const folder of expanded.pending) report({ kind: 'node_unresolved', item: folder.spec.key, message: `${folder.spec.key}: ${folder.message}` });
    targets.push(...expanded.targets);
    return [...list, ...expanded.targets];
  };

  const createSubscription = async (): Promise<ClientSubscription> => {
    // The lifetime bounds what a hold of the flow control or an outage can last before the
    // server drops the subscription (a lifeline publish keeps a hold within it); a keep-alive
    // every 10 s at most, and at least three within the lifetime, as Part 4 (5.13.2) requires.
    const lifetimeCount = Math.max(3, Math.ceil((options.subscriptionLifetimeMs ?? 600_000) / publishingIntervalMs));
    const keepAliveCount = Math.max(1, Math.min(Math.ceil(10_000 / publishingIntervalMs), Math.floor(lifetimeCount / 3)));
    try {
      return await withDeadline(
        session.createSubscription2({
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
  };

  await resolveAll(targets);
  let subscription = await createSubscription();
  const handles = new Map<number, Registered>();
  const ctx: MonitorContext & { internal: WeakSet<object> } = { opcua, subscription, byItem: new WeakMap(), handles, timeoutMs: 30_000, internal: new WeakSet() };
  const internal: Registered = { kind: 'internal' };
  // A notification can name an item whose creation answer has not been handled yet: find it
  // through node-opcua's table and the item -> target map filled when the item was made.
  const lookup: HandleLookup = {
    get(clientHandle) {
      const known = handles.get(clientHandle);
      if (known) return known;
      const item = (ctx.subscription.monitoredItems as Record<number, object | undefined>)[clientHandle];
      if (item && ctx.internal.has(item)) return internal;
      const target = item ? ctx.byItem.get(item) : undefined;
      if (target?.registered) handles.set(clientHandle, target.registered);
      return target?.registered;
    },
  };
  const onMessage = (message: NotificationMessageLike): void => {
    if (!message?.notificationData?.length) return;
    const batch = decodeNotificationMessage(message, lookup, now(), recordOptions());
    counts.messages += 1;
    counts.values += batch.values.length;
    counts.events += batch.events.length;
    counts.decodeProblems += batch.problems.length;
    for (const v of batch.values) if (v.overflow) counts.overflows += 1;
    try {
      options.onData(batch);
    } catch (err) {
      logger.error({ err }, 'the onData handler threw');
    }
    const gone = goneTargets(batch, targets);
    if (gone.length > 0) void withdrawGone(gone);
  };
  const attach = (sub: ClientSubscription): void => {
    sub.on('raw_notification', onMessage as never);
    // node-opcua re-created it on a new session (the server no longer had it): the items too.
    sub.on('subscriptionId_changed' as never, () => {
      counts.recreations += 1;
    });
    sub.on('status_changed', (status: { name?: string }) => {
      if (status?.name === 'BadTimeout' && !closed) void rebuild();
    });
  };

  const monitor = async (list: readonly Target[]): Promise<void> => {
    const refusals = await monitorTargets(ctx, list.filter((t) => t.state === 'pending'));
    for (const r of refusals) report({ kind: 'event_field_refused', item: r.target.key, message: `${r.target.key}: the server cannot select event field ${r.field} (${r.status}); it stays null` });
  };

  let closed = false;
  let busy: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    busy = busy.then(work).catch((err: unknown) => logger.error({ err }, `subscription upkeep failed: ${messageOf(err)}`));
    return busy;
  };

  const retry = (): Promise<void> =>
    serial(async () => {
      if (closed || connection.state() !== 'connected') return;
      const again = targets.filter((t) => t.state === 'refused' || t.state === 'unresolved');
      if (again.length === 0 && pendingFolders.length === 0) return;
      const list = await resolveAll(again);
      await monitor(list);
      for (const t of list) {
        if (t.state === 'active') logger.info({ item: t.key }, `${t.key}: ${t.label} is monitored now`);
        else logger.debug({ item: t.key }, `${t.key}: ${t.label} still not monitored (${t.message})`);
      }
    });

  const rebuild = (): Promise<void> =>
    serial(async () => {
      report({ kind: 'subscription_recreated', message: `the server closed the subscription on ${connection.endpointUrl} (no Publish request for its whole lifetime); creating it again with every item` });
      handles.clear();
      for (const t of targets) {
        if (t.state !== 'active') continue;
        t.state = 'pending';
        delete t.monitored;
      }
      subscription = await createSubscription();
      counts.recreations += 1;
      ctx.subscription = subscription;
      attach(subscription);
      await monitor(targets);
      await watchModel();
      reportFailures(targets.filter((t) => t.state === 'refused'));
      options.onRecreated?.();
    });

  // A node deleted while monitored (a PLC program download) leaves an item that reports it gone
  // for ever: the item is taken out and joins the retried ones, which re-resolve its node.
  const withdrawGone = (gone: ReturnType<typeof goneTargets>): Promise<void> =>
    serial(async () => {
      const rescan = new Set<ExpandedFolder>();
      for (const { target: t, status } of gone) {
        if (closed || t.state !== 'active') continue;
        await unmonitorTarget(ctx, t, status);
        const folder = folders.find((f) => rescanMsOf(f) > 0 && f.targets.includes(t));
        if (folder) rescan.add(folder);
        const every = (options.retryRefusedMs ?? 60_000) / 1000;
        const then = folder ? `browsing its folder again now` : `creating its item again every ${every} s, so it resumes once the node is back`;
        report({ kind: 'item_refused', item: t.key, message: `${t.key}: the server says ${t.label} no longer exists (${status}): deleted, or renumbered by a PLC program download; ${then}` });
      }
      // Queued behind this work: a variable gone from a folder often means the folder changed.
      if (rescan.size > 0) void rescanFolders([...rescan]);
    });

  // Folders queued for a rescan that has not started yet: a request for one of them adds nothing.
  const rescanQueued = new Set<ExpandedFolder>();
  const rescanFolders = (list: readonly ExpandedFolder[]): Promise<void> => {
    const fresh = list.filter((f) => !rescanQueued.has(f));
    if (fresh.length === 0) return busy;
    for (const f of fresh) rescanQueued.add(f);
    return serial(async () => {
      for (const f of fresh) rescanQueued.delete(f);
      if (closed || connection.state() !== 'connected') return;
      const namespaces = connection.namespaces();
      const resolver = createNodeResolver(session, namespaces);
      for (const folder of fresh) if (folders.includes(folder)) await rescanOne(folder, resolver, walkerFor(namespaces));
    });
  };
  const rescanAll = (): Promise<void> => rescanFolders(folders.filter((f) => rescanMsOf(f) > 0));

  const forget = async (list: readonly Target[]): Promise<void> => {
    for (const t of list) {
      if (t.state === 'active') await unmonitorTarget(ctx, t, 'gone from its folder');
      const at = targets.indexOf(t);
      if (at >= 0) targets.splice(at, 1);
    }
  };

  const rescanOne = async (folder: ExpandedFolder, resolver: ReturnType<typeof createNodeResolver>, walk: FolderWalker): Promise<void> => {
    const before = folder.cut;
    let change: Awaited<ReturnType<typeof rescanFolder>>;
    try {
      change = await rescanFolder(folder, resolver, walk, publishingIntervalMs);
    } catch (err) {
      // A connection lost mid-walk, a browse timed out: the items stay as they are until the next rescan.
      logger.debug({ item: folder.spec.key }, `folder ${folder.spec.key}: browsing it again failed (${messageOf(err)}); its items stay as they are`);
      return;
    }
    // Stopped while the folder was browsed: the subscription is gone, nothing more to change.
    if (closed) return;
    const key = folder.spec.key;
    if ('gone' in change) {
      await forget(folder.targets);
      const removed = folder.targets.map((t) => t.browsePath!.join('/'));
      folders.splice(folders.indexOf(folder), 1);
      pendingFolders.push({ spec: folder.spec, location: folder.location, message: change.gone });
      logger.warn({ item: key }, `folder ${key} (${folder.location.text}) is gone: ${change.gone}; its ${removed.length} variable(s) are no longer monitored, and the folder is looked for again every ${(options.retryRefusedMs ?? 60_000) / 1000} s`);
      report({ kind: 'node_unresolved', item: key, message: `${key}: ${change.gone}` });
      options.onFolderChanged?.({ key, added: [], removed, gone: change.gone });
      return;
    }
    folder.cut = change.cut;
    if (folder.cut === undefined) delete folder.cut;
    const cutChanged = change.cut !== before;
    if (change.added.length === 0 && change.removed.length === 0 && !cutChanged) return;
    await forget(change.removed);
    targets.push(...change.added);
    await monitor(change.added);
    if (change.added.length > 0 || change.removed.length > 0) {
      logger[change.removed.length > 0 ? 'warn' : 'info']({ item: key, added: change.added.length, removed: change.removed.length }, rescanText(folder, change));
    }
    reportFailures(change.added);
    if (cutChanged && change.cut !== undefined) report({ kind: 'folder_truncated', item: key, message: change.cut });
    const paths = (list: readonly Target[]) => list.map((t) => t.browsePath!.join('/'));
    options.onFolderChanged?.({ key, added: paths(change.added), removed: paths(change.removed), ...(change.cut === undefined ? {} : { cut: change.cut }) });
  };

  // Model change events from the server (GeneralModelChangeEvent, SemanticChangeEvent) rescan at once.
  const watchModel = async (): Promise<void> => {
    if (!plan.folders.some((f) => rescanMsOf(f) > 0)) return;
    const watched = await watchModelChanges(ctx, () => void rescanAll());
    if ('refused' in watched) logger.debug({}, `the server does not report model changes (${watched.refused}); folders are browsed again at their rescan period only`);
  };

  // After a restore, node-opcua has re-created the items it had: one that failed there (the
  // node is gone from the restarted server) is taken out and joins the retried ones.
  const checkAfterRestore = (): Promise<void> =>
    serial(async () => {
      const failed: Target[] = [];
      for (const t of targets) {
        const status = (t.monitored as unknown as { statusCode?: { isGood(): boolean; name: string } } | undefined)?.statusCode;
        if (t.state !== 'active' || !status || status.isGood()) continue;
        await unmonitorTarget(ctx, t, status.name);
        failed.push(t);
      }
      reportFailures(failed);
    });

  const onConnection = (event: ConnectionEvent): void => {
    if (event.type === 'namespaces_changed') {
      for (const t of targets) {
        if (t.state !== 'active' || !t.resolved || !t.monitored) continue;
        const moved = resolveNodeRef(t.resolved.ref, event.after);
        if (!moved.ok || moved.nodeId === t.resolved.nodeId) continue;
        t.resolved = { ...t.resolved, nodeId: moved.nodeId };
        (t.monitored.itemToMonitor as { nodeId: unknown }).nodeId = opcua.resolveNodeId(moved.nodeId);
      }
    } else if (event.type === 'restored') {
      flow.reapply();
      // A server that restarted (its session is new) may have restarted for a new address space
      // (a PLC program download): its folders are browsed again now rather than at their period.
      void checkAfterRestore().then(() => (event.sessionRecreated ? rescanAll() : undefined));
    }
  };

  const flow = createFlowControl(asPublishEngine((session as unknown as { getPublishEngine(): unknown }).getPublishEngine()), {
    lifetimeMs: () => ctx.subscription.lifetimeCount * ctx.subscription.publishingInterval,
    canResume: () => connection.state() === 'connected',
  });
  attach(subscription);
  await monitor(targets);
  await watchModel();
  reportFailures(targets);
  const unlisten = connection.onEvent(onConnection);
  const retryTimer = options.retryTimer === false ? undefined : setInterval(() => void retry(), options.retryRefusedMs ?? 60_000).unref();
  // One timer per rescan period; each tick rescans the folders found with that period, those found on a retry too.
  const rescanTimers = [...new Set(plan.folders.map(rescanMsOf).filter((ms) => ms > 0))].map((ms) =>
    setInterval(() => void rescanFolders(folders.filter((f) => rescanMsOf(f) === ms)), ms).unref(),
  );

  return {
    flow,
    items: () => [
      ...targets.map((t) => ({
        key: t.key,
        kind: t.kind,
        label: t.label,
        ...(t.resolved ? { nodeId: t.resolved.text } : {}),
        ...(t.browsePath ? { browsePath: t.browsePath } : {}),
        state: t.state,
        ...(t.message ? { message: t.message } : {}),
      })),
      // A folder not found yet stands for the variables it will give: one unresolved entry.
      ...pendingFolders.map((f) => ({ key: f.spec.key, kind: 'value' as const, label: f.location.text, state: 'unresolved' as const, ...(f.message ? { message: f.message } : {}) })),
    ],
    stats: () => ({
      ...counts,
      active: targets.filter((t) => t.state === 'active').length,
      refused: targets.filter((t) => t.state === 'refused').length,
      unresolved: targets.filter((t) => t.state === 'unresolved').length + pendingFolders.length,
      publishingIntervalMs: ctx.subscription.publishingInterval,
      lifetimeMs: ctx.subscription.lifetimeCount * ctx.subscription.publishingInterval,
      flow: flow.stats(),
    }),
    retryNow: retry,
    rescanNow: rescanAll,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(retryTimer);
      for (const timer of rescanTimers) clearInterval(timer);
      unlisten();
      flow.dispose();
      await settleWithin(() => ctx.subscription.terminate(), 2000);
    },
  };
}
