import { formatDuration } from '@fieldbridge/core/bridge';
import type { goneTargets } from './_gone-nodes.js';
import { monitorPending, reportFailures, resolveAll } from './_item-setup.js';
import { unmonitorTarget } from './_monitor.js';
import { ITEM_DEFAULTS, type ExpandedFolder, type Target } from './_targets.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';

/** A folder's rescan period in ms (0: never browsed again). */
export function rescanMsOf(folder: { spec: { rescanMs?: number } }): number {
  return folder.spec.rescanMs ?? ITEM_DEFAULTS.folderRescanMs;
}

/** Queues a try of the refused and unresolved items, and of the folders not found yet, while connected. */
export function retryFailed(up: Upkeep, ctx: SubscriptionMonitor): Promise<void> {
  return up.serial(async () => {
    if (up.closed || up.connection.state() !== 'connected') return;
    const again = up.targets.filter((t) => t.state === 'refused' || t.state === 'unresolved');
    if (again.length === 0 && up.pendingFolders.length === 0) return;
    const list = await resolveAll(up, again);
    await monitorPending(up, ctx, list);
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
      await unmonitorTarget(ctx, t, status);
      const folder = up.folders.find((f) => rescanMsOf(f) > 0 && f.targets.includes(t));
      if (folder) changed.add(folder);
      const then = folder ? `browsing its folder again now` : `creating its item again every ${formatDuration(up.retryMs)}, so it resumes once the node is back`;
      up.report({ kind: 'item_refused', item: t.key, message: `${t.key}: the server says ${t.label} no longer exists (${status}): deleted, or renumbered by a PLC program download; ${then}` });
    }
    if (changed.size > 0) rescan([...changed]);
  });
}

/**
 * Queues a look at what node-opcua re-created after a restore: an item that failed there (its
 * node is gone from the restarted server) is taken out and joins the retried ones.
 */
export function checkAfterRestore(up: Upkeep, ctx: SubscriptionMonitor): Promise<void> {
  return up.serial(async () => {
    const failed: Target[] = [];
    for (const t of up.targets) {
      const status = (t.monitored as unknown as { statusCode?: { isGood(): boolean; name: string } } | undefined)?.statusCode;
      if (t.state !== 'active' || !status || status.isGood()) continue;
      await unmonitorTarget(ctx, t, status.name);
      failed.push(t);
    }
    reportFailures(up, failed);
  });
}
