import type { ClientSession } from 'node-opcua';
import { browseChildren, NodeClassId, type ChildRef } from './_browse-children.js';
import { withDeadline } from './_deadline.js';
import { fairShares } from './_fair-shares.js';

/** Children of one node the walk did not list: how many it listed, and how many it left out. */
export interface ChildrenCut {
  listed: number;
  notListed: number;
  /** The server has more children than a browse reads (10,000): `notListed` is a lower bound. */
  atLeast: boolean;
}

/** A node the walk listed, with the children it listed below it. */
export interface WalkedNode {
  ref: ChildRef;
  /** The node id the walk browsed it by (as `idOf` gave it). */
  nodeId: string;
  /** 1 for a child of the start. */
  depth: number;
  children: WalkedNode[];
  /** Its children were not all listed: the node limit ran out at their level. */
  cut?: ChildrenCut;
}

/** What {@link walkBreadthFirst} found. */
export interface Walk {
  /** The start's children, each with its listed subtree. */
  roots: WalkedNode[];
  /** The start's own children were not all listed. */
  startCut?: ChildrenCut;
  /** Nodes listed. */
  listed: number;
  /** Objects listed whose children were never browsed because the node limit ran out before their level. */
  notLookedInto: number;
  /** The server refused to browse the start (its status name). */
  refused?: string;
}

/** Options of {@link walkBreadthFirst}. */
export interface WalkOptions {
  maxDepth: number;
  maxNodes: number;
  /** Time for each browse request, in ms. */
  timeoutMs: number;
  /** Most children one node is browsed for; beyond, its count is a lower bound. */
  maxChildren: number;
  /** The id a child is browsed and told apart by. */
  idOf: (ref: ChildRef) => string;
}

interface Parent {
  nodeId: string;
  node?: WalkedNode;
}

/**
 * Walks below `start` breadth first: every node of a level is browsed before any node of the
 * next, and when the nodes left (`maxNodes`) cannot take all the children of a level, they are
 * shared between its parents as evenly as their counts allow ({@link fairShares}), so a cut
 * listing still shows every branch. A parent left with children not listed carries a
 * {@link ChildrenCut}. Each parent's children beyond its even share are counted, not held, so a
 * level holds at most about `maxNodes` children. A node reached twice is listed once.
 */
export async function walkBreadthFirst(session: ClientSession, start: string, options: WalkOptions): Promise<Walk> {
  const { maxDepth, maxNodes, timeoutMs, maxChildren, idOf } = options;
  const mask = NodeClassId.Object | NodeClassId.Variable;
  const browse = (nodeId: string, keep: number) => withDeadline(browseChildren(session, nodeId, maxChildren, mask, keep), timeoutMs, `browsing ${nodeId}`);
  const walk: Walk = { roots: [], listed: 0, notLookedInto: 0 };
  const seen = new Set<string>([start]);
  let level: Parent[] = [{ nodeId: start }];
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const budget = maxNodes - walk.listed;
    if (budget <= 0) {
      walk.notLookedInto = level.filter((p) => p.node?.ref.nodeClass === NodeClassId.Object).length;
      break;
    }
    const keep = Math.max(1, Math.ceil(budget / level.length));
    const found = [];
    for (const parent of level) {
      const listed = await browse(parent.nodeId, keep);
      if (listed.refused && depth === 1) return { ...walk, refused: listed.refused };
      found.push(listed);
    }
    const shares = fairShares(
      found.map((f) => f.count),
      budget,
    );
    const next: Parent[] = [];
    for (const [i, parent] of level.entries()) {
      let listed = found[i]!;
      const share = shares[i]!;
      // Its share is above what was kept of it while the level was counted: read those again.
      if (share > listed.children.length && listed.children.length < listed.count) listed = await browse(parent.nodeId, share);
      const into = parent.node ? parent.node.children : walk.roots;
      let taken = 0;
      let twice = 0;
      for (const ref of listed.children) {
        if (taken >= share) break;
        const nodeId = idOf(ref);
        if (seen.has(nodeId)) {
          twice++;
          continue;
        }
        seen.add(nodeId);
        const node: WalkedNode = { ref, nodeId, depth, children: [] };
        into.push(node);
        taken++;
        if (depth < maxDepth) next.push({ nodeId, node });
      }
      walk.listed += taken;
      const notListed = Math.max(0, listed.count - taken - twice);
      if (notListed > 0 || listed.truncated) {
        const cut = { listed: taken, notListed, atLeast: listed.truncated };
        if (parent.node) parent.node.cut = cut;
        else walk.startCut = cut;
      }
    }
    level = next;
  }
  return walk;
}
