import type { Target } from './_targets.js';
import type { NotificationBatch } from './notifications.js';

/**
 * The statuses with which a server says that a monitored node no longer exists: deleted, or
 * renumbered by a PLC program download or a configuration change. The item stays at the server
 * and keeps saying so even once a node of that id is back (node-opcua's server, and others, do
 * not attach an item to a node made after it): only a new item reads the node again.
 */
const GONE_STATUSES: ReadonlySet<string> = new Set(['BadNodeIdUnknown', 'BadNodeIdInvalid']);

/** True for a status saying that the monitored node no longer exists. */
export function isGoneStatus(status: string): boolean {
  return GONE_STATUSES.has(status);
}

/**
 * The active value targets whose node `batch` says is gone, each with the status that said so.
 * One pass over the targets, and only when the batch has such a status.
 */
export function goneTargets(batch: NotificationBatch, targets: readonly Target[]): { target: Target; status: string }[] {
  const gone = new Map<object, string>();
  for (const record of batch.values) if (isGoneStatus(record.status)) gone.set(record.item, record.status);
  if (gone.size === 0) return [];
  const found: { target: Target; status: string }[] = [];
  for (const target of targets) {
    const status = target.state === 'active' && target.registered?.kind === 'value' ? gone.get(target.registered.item) : undefined;
    if (status !== undefined) found.push({ target, status });
  }
  return found;
}
