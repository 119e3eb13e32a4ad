import type { ClientSession } from 'node-opcua';
import { NodeClassId, type ChildRef } from './_browse-children.js';
import { walkBreadthFirst, type WalkedNode } from './_browse-walk.js';
import { compareNatural } from './_natural-order.js';
import { nodeIdToText } from './node-ref.js';
import { toResolved, type FolderVariable, type ResolvedNode } from './resolve-nodes.js';

/** Most Objects a folder's walk looks into: they are not counted in `max_items`, but bounded all the same. */
export const MAX_FOLDER_OBJECTS = 10_000;
/** Most children read per node of a folder. */
const MAX_CHILDREN = 10_000;
/** Time for each browse request of a folder's walk, in ms. */
const BROWSE_TIMEOUT_MS = 30_000;

/** A node below a folder (or the folder itself, `path` empty) whose variables were not all taken. */
export interface FolderCut {
  /** Browse names from the folder down to it. */
  path: string[];
  /** Its node id with its namespace URI: what a `folders[]` entry of its own names. */
  nodeId: string;
  taken: number;
  left: number;
  /** It has more children than a browse reads (10,000): `left` is a lower bound. */
  atLeast: boolean;
  /** Objects below it left out: {@link MAX_FOLDER_OBJECTS} ran out. */
  objectsLeft: number;
}

/** An Object below a folder whose children were not browsed: `max_items` ran out before their level. */
export interface FolderUnbrowsed {
  path: string[];
  nodeId: string;
}

/** What {@link walkFolder} found. */
export interface FolderExpansion {
  /** In a stable order: the tree below the folder, each level's children by name (numbers as numbers). */
  variables: FolderVariable[];
  cuts: FolderCut[];
  unbrowsed: FolderUnbrowsed[];
  /** The server refused to browse the folder (its status name). */
  refused?: string;
}

/**
 * The variables below `folder`, at most `maxItems` of them within `maxDepth` levels, walked
 * breadth first as `--browse` walks ({@link walkBreadthFirst}): Objects are looked into without
 * counting against `maxItems`, and when the variables of a level do not all fit, what is left
 * is shared evenly between their parents, so a cut takes part of every sub-folder rather than
 * the first ones whole. Children are taken by name, not in the server's order, so a cut takes
 * the same variables at every start and reconnect while the address space is the same.
 */
export async function walkFolder(session: ClientSession, folder: ResolvedNode, namespaces: readonly string[], maxDepth: number, maxItems: number): Promise<FolderExpansion> {
  const textOf = (ref: ChildRef): string => toResolved(ref.nodeId, namespaces).text;
  const walk = await walkBreadthFirst(session, folder.nodeId, {
    maxDepth,
    maxNodes: maxItems,
    timeoutMs: BROWSE_TIMEOUT_MS,
    maxChildren: MAX_CHILDREN,
    idOf: (ref) => nodeIdToText(ref.nodeId),
    uncounted: { nodeClassMask: NodeClassId.Object, max: MAX_FOLDER_OBJECTS },
    // By name, then by node id (its namespace URI, not its index) for names repeated.
    order: (a, b) => compareNatural(a.browseName.name, b.browseName.name) || compareNatural(textOf(a), textOf(b)),
  });
  const expansion: FolderExpansion = { variables: [], cuts: [], unbrowsed: [], ...(walk.refused ? { refused: walk.refused } : {}) };
  if (walk.startCut) expansion.cuts.push(cutOf([], folder.text, walk.startCut));
  const visit = (nodes: readonly WalkedNode[], parentPath: readonly string[]): void => {
    for (const node of nodes) {
      const path = [...parentPath, node.ref.browseName.name];
      if (node.ref.nodeClass === NodeClassId.Variable) expansion.variables.push({ ...toResolved(node.ref.nodeId, namespaces), browsePath: path });
      if (node.cut) expansion.cuts.push(cutOf(path, textOf(node.ref), node.cut));
      if (node.notLookedInto) expansion.unbrowsed.push({ path, nodeId: textOf(node.ref) });
      visit(node.children, path);
    }
  };
  visit(walk.roots, []);
  return expansion;
}

function cutOf(path: string[], nodeId: string, cut: NonNullable<WalkedNode['cut']>): FolderCut {
  return { path, nodeId, taken: cut.listed, left: cut.notListed, atLeast: cut.atLeast, objectsLeft: cut.uncountedNotListed ?? 0 };
}
