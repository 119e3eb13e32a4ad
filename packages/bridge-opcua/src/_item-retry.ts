import { formatDuration } from '@fieldbridge/core/bridge';
import type { goneTargets } from './_gone-nodes.js';
import { monitorPending, reportFailures, resolveAll } from './_item-setup.js';
import { refusedForRoom, unmonitorTarget } from './_monitor.js';
import { readServerLimits } from './_server-limits.js';
import { renewalText, type SessionRenewal } from './_start-time.js';
import { ITEM_DEFAULTS, type ExpandedFolder, type Target } from './_targets.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';

/** A folder's rescan period in ms (0: never browsed again). */
export function rescanMsOf(folder: { spec: { rescanMs?: number } }): number {
  return folder.spec.rescanMs ?? ITEM_DEFAULTS.folderRescanMs;
}

/**
 * Queues a try of the refused and unresolved items, and of the folders not found yet, while
 * connected. Items refused for room are placed anew: on subscriptions with room, or new ones.
 */
export function retryFailed(up: Upkeep, ctx: SubscriptionMonitor): Promise<void> {
  return up.serial(async () => {
    if (up.closed || up.connection.state() !== 'connected') return;
    const again = up.targets.filter((t) => t.state === 'refused' || t.state === 'unresolved');
    if (again.length === 0 && up.pendingFolders.length === 0) return;
    const list = await tryAgain(up, ctx, again);
    const { logger } = up.connection;
    for (const t of list) {
      if (t.state === 'active') logger.info({ item: t.key }, `${t.key}: ${t.label} is monitored now`);
      else logger.debug({ item: t.key }, `${t.key}: ${t.label} still not monitored (${t.message})`);
    }
  });
}

/**
 * Queues the withdrawal of items whose node was deleted while monitored (a PLC program
 * download): such an item reports it gone for ever, so it is taken out and joins the retried
 * ones, which re-resolve its node. A folder that lost a variable is passed to `rescan`, queued
 * behind this work: a variable gone from a folder often means the folder changed.
 */
export function withdrawGone(up: Upkeep, ctx: SubscriptionMonitor, gone: ReturnType<typeof goneTargets>, rescan: (folders: ExpandedFolder[]) => void): Promise<void> {
  return up.serial(async () => {
    const changed = new Set<ExpandedFolder>();
    for (const { target: t, status } of gone) {
      if (up.closed || t.state !== 'active') continue;
      await unmonitorTarget(t, status);
      const folder = up.folders.find((f) => rescanMsOf(f) > 0 && f.targets.includes(t));
      if (folder) changed.add(folder);
      const then = folder ? `browsing its folder again now` : `creating its item again every ${formatDuration(up.retryMs)}, so it resumes once the node is back`;
      up.report({ kind: 'item_refused', item: t.key, message: `${t.key}: the server says ${t.label} no longer exists (${status}): deleted, or renumbered by a PLC program download; ${then}` });
    }
    if (changed.size > 0) rescan([...changed]);
  });
}

/**
 * Resolves the nodes of `again` anew, looks for the folders not found yet and monitors what is
 * found: not queued, for upkeep work. Resolves with `again` and the variables of folders found.
 */
async function tryAgain(up: Upkeep, ctx: SubscriptionMonitor, again: Target[]): Promise<Target[]> {
  // Items that found no room: the server's limits are read again (its configuration, or what
  // its other clients hold, may have changed), and what its refusals showed is learnt anew: a
  // subscription found full may have met the server's MaxMonitoredItems over all its clients.
  if (again.some((t) => refusedForRoom(t.message))) await relearnLimits(up, ctx);
  const list = await resolveAll(up, again);
  await monitorPending(up, ctx, list);
  return list;
}

/** Reads the server's limits again and forgets what its refusals showed, to be learnt again from the next ones. */
async function relearnLimits(up: Upkeep, ctx: SubscriptionMonitor): Promise<void> {
  // A refusal for room says nothing of the request size: what the size refusals taught is kept (forgotten on a new session, below).
  ctx.limits = await readServerLimits(up.connection.session, ctx.timeoutMs);
  for (const lane of ctx.lanes) delete lane.learnedCapacity;
}

/** node-opcua's publish engine of a session: which subscriptions it publishes for. */
interface PublishEngineView {
  hasSubscription(subscriptionId: number): boolean;
}

/**
 * Queues a look at what node-opcua re-created after a restore. A subscription node-opcua could
 * not create again (it gives up on it in silence: the server took fewer subscriptions, or refused
 * one) has its items placed anew, on the other subscriptions or new ones; an item refused for room
 * there is placed anew at once. After a new session (a server restart, or a session the server
 * dropped) the server's limits are read again, and learnt again from its refusals, and every item
 * not monitored (refused, not found, or failed at its re-creation: its node gone or renumbered)
 * and every folder not found is tried at once, its node found anew, as a restarted server may
 * have new nodes and new limits; this is logged once. Otherwise an item that failed at its
 * re-creation is taken out and joins the retried ones. The log line says why the session is new
 * where `restore.renewal` tells it (the server restarted, at what time, or dropped the session).
 * `watchModel` watches the model changes again if their item's subscription was lost.
 * `options.onRestored` is called at the end.
 */
export function checkAfterRestore(up: Upkeep, ctx: SubscriptionMonitor, restore: { sessionRecreated: boolean; renewal?: SessionRenewal }, watchModel: () => Promise<void>): Promise<void> {
  const { sessionRecreated } = restore;
  return up.serial(async () => {
    if (up.closed) return;
    const { session, logger } = up.connection;
    if (sessionRecreated) {
      await relearnLimits(up, ctx);
      // A restarted server may take larger requests now.
      delete ctx.learnedItemsPerCall;
    }
    const engine = (session as unknown as { getPublishEngine(): PublishEngineView }).getPublishEngine();
    const lost = ctx.lanes.filter((lane) => !engine.hasSubscription(lane.subscription.subscriptionId));
    const again: Target[] = [];
    for (const t of up.targets) {
      if (t.state !== 'active' || !t.lane || !lost.includes(t.lane)) continue;
      t.state = 'pending';
      delete t.monitored;
      delete t.lane;
      again.push(t);
    }
    for (const lane of lost) ctx.lanes.splice(ctx.lanes.indexOf(lane), 1);
    if (lost.length > 0) {
      logger.warn(
        { subscriptions: lost.length, items: again.length },
        `${up.connection.endpointUrl}: ${lost.length} subscription(s) could not be created again after the reconnect; their ${again.length} items are placed on subscriptions anew`,
      );
    }
    const failed: Target[] = [];
    for (const t of up.targets) {
      const status = (t.monitored as unknown as { statusCode?: { isGood(): boolean; name: string } } | undefined)?.statusCode;
      if (t.state !== 'active' || !status || status.isGood()) continue;
      await unmonitorTarget(t, status.name);
      if (refusedForRoom(status.name)) {
        t.state = 'pending';
        again.push(t);
      } else {
        failed.push(t);
      }
    }
    if (!sessionRecreated) {
      await monitorPending(up, ctx, again);
      if (lost.length > 0) await watchModel();
      reportFailures(up, ctx, [...failed, ...again.filter((t) => t.state === 'refused')]);
      up.options.onRestored?.();
      return;
    }
    // A new session: the server restarted (or dropped the old session), often for a new address
    // space, a PLC program download that adds tags. What it refused or did not have is tried now,
    // its nodes found anew, rather than at the next retry: the items the old limits left out, those
    // it refused, those that failed just now (a node renumbered), the folders not found.
    const retried = up.targets.filter((t) => t.state === 'refused' || t.state === 'unresolved');
    if (retried.length > 0 || up.pendingFolders.length > 0) logger.info({ items: retried.length, folders: up.pendingFolders.length }, restartText(up, retried.length, restore.renewal));
    const list = await resolveAll(up, retried);
    await monitorPending(up, ctx, [...again, ...list]);
    if (lost.length > 0) await watchModel();
    reportFailures(up, ctx, [...again, ...list].filter((t) => t.state === 'refused' || t.state === 'unresolved'));
    up.options.onRestored?.();
  });
}

/** The line said once when a new session retries what the old one could not monitor. */
function restartText(up: Upkeep, items: number, renewal: SessionRenewal | undefined): string {
  const folders = up.pendingFolders.length;
  const what = [
    ...(items > 0 || folders === 0 ? [`retrying ${items} refused ${items === 1 ? 'item' : 'items'}`] : []),
    ...(folders > 0 ? [`looking for ${folders} ${folders === 1 ? 'folder' : 'folders'} not found`] : []),
  ];
  return `${up.connection.endpointUrl}: ${renewalText(renewal)}: ${what.join(' and ')} now rather than in ${formatDuration(up.retryMs)}`;
}
