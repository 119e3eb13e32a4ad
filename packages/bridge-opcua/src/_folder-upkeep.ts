import type { ClientSubscription } from 'node-opcua';
import { formatDuration } from '@fieldbridge/core/bridge';
import { rescanFolder, rescanText } from './_folder-rescan.js';
import { rescanMsOf } from './_item-retry.js';
import { monitorPending, reportFailures, walkerFor } from './_item-setup.js';
import { watchModelChanges } from './_model-change.js';
import { openLane, pruneLanes, roomOf } from './_lanes.js';
import { unmonitorTarget } from './_monitor.js';
import type { ExpandedFolder, FolderWalker, PendingFolder, Target } from './_targets.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';
import { messageOf } from './errors.js';
import { createNodeResolver } from './resolve-nodes.js';

/** Keeps the folders a subscription found in step with the server. */
export interface FolderUpkeep {
  /** Queues a rescan of `folders`; a folder already queued and not started adds nothing. */
  rescan(folders: readonly ExpandedFolder[]): Promise<void>;
  /** Queues a rescan of every found folder whose rescan is not off. */
  rescanAll(): Promise<void>;
  /**
   * Watches the server's model change events when a folder is rescanned, so a change rescans at
   * once: one item, on a subscription with room. Does nothing while that item's subscription
   * lives; call it again when a subscription was made anew. Not queued: call it from upkeep work.
   */
  watchModel(): Promise<void>;
  /** One timer per rescan period of the mapping's folders (unref'd), for the caller to clear. */
  startTimers(): NodeJS.Timeout[];
}

/**
 * The folder upkeep of the subscription whose state is `up` and whose items are monitored with
 * `ctx`; `planned` are the mapping's folders, found or not, whose rescan periods it keeps.
 */
export function createFolderUpkeep(up: Upkeep, ctx: SubscriptionMonitor, planned: readonly PendingFolder[]): FolderUpkeep {
  const { connection, folders } = up;
  const { logger } = connection;
  const paths = (list: readonly Target[]) => list.map((t) => t.browsePath!.join('/'));

  const forget = async (list: readonly Target[]): Promise<void> => {
    for (const t of list) {
      if (t.state === 'active') await unmonitorTarget(t, 'gone from its folder');
      const at = up.targets.indexOf(t);
      if (at >= 0) up.targets.splice(at, 1);
    }
  };

  const rescanOne = async (folder: ExpandedFolder, resolver: ReturnType<typeof createNodeResolver>, walk: FolderWalker): Promise<void> => {
    const before = folder.cut;
    let change: Awaited<ReturnType<typeof rescanFolder>>;
    try {
      change = await rescanFolder(folder, resolver, walk, up.publishingIntervalMs);
    } catch (err) {
      // A connection lost mid-walk, a browse timed out: the items stay as they are until the next rescan.
      logger.debug({ item: folder.spec.key }, `folder ${folder.spec.key}: browsing it again failed (${messageOf(err)}); its items stay as they are`);
      return;
    }
    // Stopped while the folder was browsed: the subscription is gone, nothing more to change.
    if (up.closed) return;
    const key = folder.spec.key;
    if ('gone' in change) {
      await forget(folder.targets);
      await pruneLanes(ctx);
      const removed = paths(folder.targets);
      folders.splice(folders.indexOf(folder), 1);
      up.pendingFolders.push({ spec: folder.spec, location: folder.location, message: change.gone });
      logger.warn({ item: key }, `folder ${key} (${folder.location.text}) is gone: ${change.gone}; its ${removed.length} variable(s) are no longer monitored, and the folder is looked for again every ${formatDuration(up.retryMs)}`);
      up.report({ kind: 'node_unresolved', item: key, message: `${key}: ${change.gone}` });
      up.options.onFolderChanged?.({ key, added: [], removed, gone: change.gone });
      return;
    }
    folder.cut = change.cut;
    if (folder.cut === undefined) delete folder.cut;
    const cutChanged = change.cut !== before;
    if (change.added.length === 0 && change.removed.length === 0 && !cutChanged) return;
    await forget(change.removed);
    up.targets.push(...change.added);
    await monitorPending(up, ctx, change.added);
    if (change.added.length > 0 || change.removed.length > 0) {
      logger[change.removed.length > 0 ? 'warn' : 'info']({ item: key, added: change.added.length, removed: change.removed.length }, rescanText(folder, change));
    }
    reportFailures(up, ctx, change.added);
    // Variables gone may leave a subscription empty.
    if (change.removed.length > 0) await pruneLanes(ctx);
    if (cutChanged && change.cut !== undefined) up.report({ kind: 'folder_truncated', item: key, message: change.cut });
    up.options.onFolderChanged?.({ key, added: paths(change.added), removed: paths(change.removed), ...(change.cut === undefined ? {} : { cut: change.cut }) });
  };

  // Folders queued for a rescan that has not started yet: a request for one of them adds nothing.
  const queued = new Set<ExpandedFolder>();
  const rescan = (list: readonly ExpandedFolder[]): Promise<void> => {
    const fresh = list.filter((f) => !queued.has(f));
    if (fresh.length === 0) return up.busy();
    for (const f of fresh) queued.add(f);
    return up.serial(async () => {
      for (const f of fresh) queued.delete(f);
      if (up.closed || connection.state() !== 'connected') return;
      const namespaces = connection.namespaces();
      const resolver = createNodeResolver(connection.session, namespaces);
      for (const folder of fresh) if (folders.includes(folder)) await rescanOne(folder, resolver, walkerFor(connection, namespaces));
    });
  };
  const rescanAll = (): Promise<void> => rescan(folders.filter((f) => rescanMsOf(f) > 0));
  // The subscription the model change item is on, once made.
  let watching: ClientSubscription | undefined;

  return {
    rescan,
    rescanAll,
    async watchModel() {
      // Model change events from the server (GeneralModelChangeEvent, SemanticChangeEvent) rescan at once.
      if (!planned.some((f) => rescanMsOf(f) > 0)) return;
      if (watching && ctx.lanes.some((l) => l.subscription === watching)) return;
      watching = undefined;
      // After the mapping's items: on a subscription they left room on, or one of its own.
      let lane = ctx.lanes.find((l) => roomOf(ctx, l) > 0);
      if (!lane) {
        const opened = await openLane(up, ctx);
        if (!('subscription' in opened)) {
          logger.debug({}, 'no subscription has room for the model change item; folders are browsed again at their rescan period only');
          return;
        }
        lane = opened;
      }
      const watched = await watchModelChanges(ctx, lane.subscription, () => void rescanAll());
      if ('refused' in watched) logger.debug({}, `the server does not report model changes (${watched.refused}); folders are browsed again at their rescan period only`);
      else watching = lane.subscription;
    },
    startTimers() {
      // Each tick rescans the folders found with that period, those found on a retry too.
      return [...new Set(planned.map(rescanMsOf).filter((ms) => ms > 0))].map((ms) => setInterval(() => void rescan(folders.filter((f) => rescanMsOf(f) === ms)), ms).unref());
    },
  };
}
