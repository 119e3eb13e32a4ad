import { formatDuration } from '@fieldbridge/core/bridge';
import { notifierProblem } from './_event-notifier.js';
import { walkFolder } from './_folder-walk.js';
import { placeTargets, roomRefusals } from './_lanes.js';
import { refusedForRoom } from './_monitor.js';
import { refusalHint } from './_refusal-hint.js';
import { expandFolders, resolveTargets, type FolderWalker, type Target } from './_targets.js';
import type { SubscriptionMonitor, Upkeep } from './_upkeep.js';
import type { OpcuaConnection } from './connection.js';
import { createNodeResolver, type ResolvedNode } from './resolve-nodes.js';

/** Browses a folder on `connection`'s session with the namespace table `namespaces`. */
export function walkerFor(connection: OpcuaConnection, namespaces: readonly string[]): FolderWalker {
  return (folder: ResolvedNode, maxDepth: number, maxItems: number) => walkFolder(connection.session, folder, namespaces, maxDepth, maxItems);
}

/**
 * Resolves the nodes of `list` and expands the folders still pending; the variables found in
 * folders join `up.targets`. Resolves with `list` and those variables, ready to monitor.
 */
export async function resolveAll(up: Upkeep, list: Target[]): Promise<Target[]> {
  const { connection } = up;
  const namespaces = connection.namespaces();
  const resolver = createNodeResolver(connection.session, namespaces);
  await resolveTargets(resolver, list, (node) => notifierProblem(connection.session, node));
  const expanded = await expandFolders(resolver, walkerFor(connection, namespaces), up.pendingFolders, up.publishingIntervalMs);
  up.pendingFolders = expanded.pending;
  up.folders.push(...expanded.folders);
  for (const { key, message } of expanded.truncated) up.report({ kind: 'folder_truncated', item: key, message });
  // Each folder is expanded once per subscription: said once.
  for (const { key, message } of expanded.notes) connection.logger.info({ item: key }, message);
  for (const folder of expanded.pending) up.report({ kind: 'node_unresolved', item: folder.spec.key, message: `${folder.spec.key}: ${folder.message}` });
  up.targets.push(...expanded.targets);
  return [...list, ...expanded.targets];
}

/**
 * Creates the items of the pending targets of `list`, on the subscriptions with room (more are
 * opened as needed); event fields the server cannot select are reported.
 */
export async function monitorPending(up: Upkeep, ctx: SubscriptionMonitor, list: readonly Target[]): Promise<void> {
  const refusals = await placeTargets(up, ctx, list);
  for (const r of refusals) up.report({ kind: 'event_field_refused', item: r.target.key, message: `${r.target.key}: the server cannot select event field ${r.field} (${r.status}); it stays null` });
}

/**
 * Reports each refused or unresolved target of `list`, with when it is tried again. Items that
 * found no subscription with room are reported once per mapping entry, naming them, with the
 * server's limit that stopped them and what to change.
 */
export function reportFailures(up: Upkeep, ctx: SubscriptionMonitor, list: readonly Target[]): void {
  const every = `trying again every ${formatDuration(up.retryMs)}`;
  const noRoom = roomRefusals(ctx, list, up.targets);
  for (const { key, message } of noRoom ?? []) up.report({ kind: 'item_refused', item: key, message: `${message}; ${every}` });
  for (const t of list) {
    if (t.state === 'refused' && !(noRoom && refusedForRoom(t.message))) up.report({ kind: 'item_refused', item: t.key, message: `${t.key}: the server refused to monitor ${t.label} (${t.message})${refusalHint(t, t.message ?? '')}; ${every}` });
    if (t.state === 'unresolved') up.report({ kind: 'node_unresolved', item: t.key, message: `${t.key}: ${t.message}; ${every}` });
  }
}
