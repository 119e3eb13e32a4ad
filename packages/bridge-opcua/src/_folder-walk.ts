import { compareNatural } from '@fieldbridge/core/bridge';
import type { ClientSession } from 'node-opcua';
import { NodeClassId, type ChildRef } from './_browse-children.js';
import { walkBreadthFirst, type Walk, type WalkedNode } from './_browse-walk.js';
import { probeBelowLimit, type FolderDeep } from './_folder-depth-probe.js';
import { SERVER_OBJECT } from './item-spec.js';
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

/**
 * The diagnostics a server keeps per client session and per subscription (Part 5, 6.3.3 and
 * 6.3.1): SessionsDiagnosticsSummary (an object per session, besides its two arrays) and the
 * server's SubscriptionDiagnosticsArray, both below Server/ServerDiagnostics.
 */
const PER_SESSION = new Set(['i=3706', 'i=2290']);

/**
 * Left out below a folder (not named by it): the Server object (the server's diagnostics of itself
 * and its sessions), and the per-session diagnostics (a folder over the Server object takes its
 * status and server-wide counters, not an item per session that ends with it, ours among them).
 */
const LEFT_OUT = new Set([SERVER_OBJECT, ...PER_SESSION]);

/** What {@link walkFolder} found. */
export interface FolderExpansion {
  /** In a stable order: the tree below the folder, each level's children by name (numbers as numbers). */
  variables: FolderVariable[];
  cuts: FolderCut[];
  unbrowsed: FolderUnbrowsed[];
  /** Objects at `max_depth` with Objects or Variables below them, which the walk did not look into. */
  deep: FolderDeep[];
  /** Objects at `max_depth` not probed for what is below them (past {@link probeBelowLimit}'s bound). */
  deepUnprobed: number;
  /** Where the Server object (i=2253) was met below the folder and left out, when it was. */
  serverLeftOut?: { path: string[] };
  /** Where per-session diagnostics (SessionsDiagnosticsSummary, SubscriptionDiagnosticsArray) were met and left out. */
  perSessionLeftOut?: { paths: string[][] };
  /** Nodes below the folder the server refused to browse: what is below them is unknown. */
  refusedBelow: number;
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
 * The Server object (i=2253) is left out below the folder (`serverLeftOut`): its diagnostics
 * churn with every session; a folder over it names it. Below that, the per-session diagnostics
 * are left out (`perSessionLeftOut`) unless the folder names them. Objects at `maxDepth` that
 * hold more are in `deep`, so the limit leaves nothing out unsaid.
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
    leaveOut: LEFT_OUT,
  });
  const expansion: FolderExpansion = { variables: [], cuts: [], unbrowsed: [], deep: [], deepUnprobed: 0, refusedBelow: walk.refusedBelow, ...(walk.refused ? { refused: walk.refused } : {}) };
  if (walk.startCut) expansion.cuts.push(cutOf([], folder.text, walk.startCut));
  const paths = new Map<WalkedNode, string[]>();
  const atLimit: { nodeId: string; path: string[]; text: string }[] = [];
  const visit = (nodes: readonly WalkedNode[], parentPath: readonly string[]): void => {
    for (const node of nodes) {
      const path = [...parentPath, node.ref.browseName.name];
      paths.set(node, path);
      if (node.ref.nodeClass === NodeClassId.Variable) expansion.variables.push({ ...toResolved(node.ref.nodeId, namespaces), browsePath: path });
      if (node.cut) expansion.cuts.push(cutOf(path, textOf(node.ref), node.cut));
      if (node.notLookedInto) expansion.unbrowsed.push({ path, nodeId: textOf(node.ref) });
      if (node.depth === maxDepth && node.ref.nodeClass === NodeClassId.Object) atLimit.push({ nodeId: node.nodeId, path, text: textOf(node.ref) });
      visit(node.children, path);
    }
  };
  visit(walk.roots, []);
  const pathOf = (left: Walk['leftOut'][number]): string[] => [...(left.parent ? (paths.get(left.parent) ?? []) : []), left.ref.browseName.name];
  const server = walk.leftOut.find((left) => nodeIdToText(left.ref.nodeId) === SERVER_OBJECT);
  if (server) expansion.serverLeftOut = { path: pathOf(server) };
  const perSession = walk.leftOut.filter((left) => PER_SESSION.has(nodeIdToText(left.ref.nodeId)));
  if (perSession.length > 0) expansion.perSessionLeftOut = { paths: perSession.map(pathOf) };
  const probed = await probeBelowLimit(session, atLimit, BROWSE_TIMEOUT_MS);
  expansion.deep = probed.deep;
  expansion.deepUnprobed = probed.unprobed;
  return expansion;
}

function cutOf(path: string[], nodeId: string, cut: NonNullable<WalkedNode['cut']>): FolderCut {
  return { path, nodeId, taken: cut.listed, left: cut.notListed, atLeast: cut.atLeast, objectsLeft: cut.uncountedNotListed ?? 0 };
}
