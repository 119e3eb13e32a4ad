import type { Target } from './_targets.js';
import type { OpcuaModule } from './load.js';
import { resolveNodeRef } from './node-ref.js';

/**
 * Moves the monitored items of `targets` to the namespace indexes of the server's new table
 * `after` (a server that reordered its namespaces on a restart), so that node-opcua re-creates
 * them on the nodes the mapping named.
 */
export function moveToNamespaces(opcua: OpcuaModule, targets: readonly Target[], after: readonly string[]): void {
  for (const t of targets) {
    if (t.state !== 'active' || !t.resolved || !t.monitored) continue;
    const moved = resolveNodeRef(t.resolved.ref, after);
    if (!moved.ok || moved.nodeId === t.resolved.nodeId) continue;
    t.resolved = { ...t.resolved, nodeId: moved.nodeId };
    (t.monitored.itemToMonitor as { nodeId: unknown }).nodeId = opcua.resolveNodeId(moved.nodeId);
  }
}
