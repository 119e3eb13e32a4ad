import type { ClientSession } from 'node-opcua';
import { browseChildren, NodeClassId, type ChildRef } from './_browse-children.js';
import { withDeadline } from './_deadline.js';
import { fairShares } from './_fair-shares.js';

/** Children of one node the walk did not list: how many it listed, and how many it left out. */
export interface ChildrenCut {
  /** Counted children (every child, or those outside `uncounted`) listed, and left out. */
  listed: number;
  notListed: number;
  /** The server has more children than a browse reads (10,000): `notListed` is a lower bound. */
  atLeast: boolean;
  /** Children of the `uncounted` classes left out: their own limit ran out. */
  uncountedNotListed?: number;
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
  /** An Object whose children were never browsed: the node limit ran out before their level. */
  notLookedInto?: true;
}

/** What {@link walkBreadthFirst} found. */
export interface Walk {
  /** The start's children, each with its listed subtree. */
  roots: WalkedNode[];
  /** The start's own children were not all listed. */
  startCut?: ChildrenCut;
  /** Nodes listed. */
  listed: number;
  /** Objects listed whose children were never browsed because the node limit ran out before their level (each marked `notLookedInto`). */
  notLookedInto: number;
  /** The server refused to browse the start (its status name). */
  refused?: string;
  /** Nodes below the start the server refused to browse (their children unknown, not none). */
  refusedBelow: number;
  /** Children met whose id is in `leaveOut`, each with the node listed above it (none: the start). */
  leftOut: { ref: ChildRef; parent?: WalkedNode }[];
}

/** Options of {@link walkBreadthFirst}. */
export interface WalkOptions {
  maxDepth: number;
  /** Most nodes listed, those of the `uncounted` classes aside. */
  maxNodes: number;
  /** Time for each browse request, in ms. */
  timeoutMs: number;
  /** Most children one node is browsed for; beyond, its count is a lower bound. */
  maxChildren: number;
  /** The id a child is browsed and told apart by. */
  idOf: (ref: ChildRef) => string;
  /**
   * Node classes (a NodeClass mask) listed outside `maxNodes`, at most `max` of them, shared
   * between the parents of a level as the others are: a folder's Objects, when `maxNodes`
   * counts its variables. Default none: every node counts.
   */
  uncounted?: { nodeClassMask: number; max: number };
  /**
   * The order each parent's children are listed and taken in. Default the server's. Given, what
   * a cut takes depends on the children alone, not on the order the server lists them in
   * (which some change across restarts): a parent cut short is browsed whole to sort it.
   */
  order?: (a: ChildRef, b: ChildRef) => number;
  /** Ids (as `idOf` gives them) of nodes not listed, nor counted as left out, wherever they are met below the start: noted in `leftOut`. */
  leaveOut?: ReadonlySet<string>;
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
 * {@link ChildrenCut}. Each parent's children beyond its even share are counted, not held (unless
 * `order` needs them sorted: one parent's at a time), so a level holds at most about `maxNodes`
 * children. A node reached twice is listed once.
 */
export async function walkBreadthFirst(session: ClientSession, start: string, options: WalkOptions): Promise<Walk> {
  const { maxDepth, maxNodes, timeoutMs, maxChildren, idOf, order } = options;
  const mask = NodeClassId.Object | NodeClassId.Variable;
  const freeMask = options.uncounted?.nodeClassMask ?? 0;
  const isFree = (ref: ChildRef): boolean => (ref.nodeClass & freeMask) !== 0;
  const browse = (nodeId: string, keep: number) => withDeadline(browseChildren(session, nodeId, maxChildren, mask, keep, freeMask), timeoutMs, `browsing ${nodeId}`);
  const walk: Walk = { roots: [], listed: 0, notLookedInto: 0, leftOut: [], refusedBelow: 0 };
  const seen = new Set<string>([start]);
  let counted = 0;
  let freeLeft = options.uncounted?.max ?? 0;
  let level: Parent[] = [{ nodeId: start }];
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const budget = maxNodes - counted;
    if (budget <= 0) {
      for (const parent of level) {
        if (parent.node?.ref.nodeClass !== NodeClassId.Object) continue;
        parent.node.notLookedInto = true;
        walk.notLookedInto++;
      }
      break;
    }
    const keep = Math.max(1, Math.ceil(budget / level.length));
    const found = [];
    for (const parent of level) {
      const listed = await browse(parent.nodeId, keep);
      if (listed.refused && depth === 1) return { ...walk, refused: listed.refused };
      if (listed.refused) walk.refusedBelow++;
      found.push(listed);
    }
    const shares = fairShares(
      found.map((f) => f.count),
      budget,
    );
    const freeShares = fairShares(
      found.map((f) => f.uncounted),
      freeLeft,
    );
    const next: Parent[] = [];
    for (const [i, parent] of level.entries()) {
      let listed = found[i]!;
      const share = shares[i]!;
      const kept = listed.children.length - listed.uncounted;
      // Its share is above what was kept of it while the level was counted (or, to be sorted,
      // it must be read whole): read those again.
      if (kept < listed.count && (order ? share > 0 : share > kept)) listed = await browse(parent.nodeId, order ? maxChildren : share);
      const children = order ? [...listed.children].sort(order) : listed.children;
      const into = parent.node ? parent.node.children : walk.roots;
      const left = { counted: share, free: freeShares[i]! };
      const taken = { counted: 0, free: 0 };
      const twice = { counted: 0, free: 0 };
      for (const ref of children) {
        const kind = isFree(ref) ? 'free' : 'counted';
        const nodeId = idOf(ref);
        if (options.leaveOut?.has(nodeId)) {
          if (!seen.has(nodeId)) walk.leftOut.push({ ref, ...(parent.node ? { parent: parent.node } : {}) });
          seen.add(nodeId);
          twice[kind]++;
          continue;
        }
        if (left[kind] <= 0) continue;
        if (seen.has(nodeId)) {
          twice[kind]++;
          continue;
        }
        seen.add(nodeId);
        const node: WalkedNode = { ref, nodeId, depth, children: [] };
        into.push(node);
        left[kind]--;
        taken[kind]++;
        if (depth < maxDepth) next.push({ nodeId, node });
      }
      walk.listed += taken.counted + taken.free;
      counted += taken.counted;
      freeLeft -= taken.free;
      const notListed = Math.max(0, listed.count - taken.counted - twice.counted);
      const freeNotListed = Math.max(0, listed.uncounted - taken.free - twice.free);
      if (notListed > 0 || freeNotListed > 0 || listed.truncated) {
        const cut: ChildrenCut = { listed: taken.counted, notListed, atLeast: listed.truncated, ...(freeNotListed > 0 ? { uncountedNotListed: freeNotListed } : {}) };
        if (parent.node) parent.node.cut = cut;
        else walk.startCut = cut;
      }
    }
    level = next;
  }
  return walk;
}
