import type { PointValue } from '@fieldbridge/core';
import { NodeClassId } from './_browse-children.js';
import { walkBreadthFirst, type ChildrenCut, type WalkedNode } from './_browse-walk.js';
import { withDeadline } from './_deadline.js';
import { parseBrowsePath } from './browse-path.js';
import { STANDARD_DATA_TYPE_NAMES } from './builtin-types.js';
import type { OpcuaConnection } from './connection.js';
import { OpcuaBridgeError } from './errors.js';
import { nodeIdSlip } from './node-id-slips.js';
import { nodeIdToText, parseNodeRef, type NodeIdLike } from './node-ref.js';
import { statusName, statusNamesFrom } from './quality.js';
import { createNodeResolver, OBJECTS_FOLDER, toResolved } from './resolve-nodes.js';
import { variantToValue, type VariantLike } from './values.js';

/** Options of {@link browseAddressSpace}. */
export interface BrowseOptions {
  /** Where to start: a node id or a browse path below Objects. Default the Objects folder. */
  start?: string;
  /** Levels below the start to follow. Default 3, at most 10. */
  maxDepth?: number;
  /** Most nodes listed. Default {@link DEFAULT_BROWSE_NODES}, at most {@link MAX_BROWSE_NODES}. */
  maxNodes?: number;
  /** Read variables' current values. Default true. */
  readValues?: boolean;
  /** Time for each request, in ms. Default 10000. */
  timeoutMs?: number;
}

/** Nodes a browse lists unless told otherwise. */
export const DEFAULT_BROWSE_NODES = 500;
/** Most nodes a browse lists. */
export const MAX_BROWSE_NODES = 10_000;
/** Most children of one node a browse reads (and counts). */
const MAX_CHILDREN_READ = 10_000;

/** One node of a browse. */
export interface BrowseEntry {
  /** With its namespace URI (`nsu=...`): paste it into a mapping. */
  nodeId: string;
  /** The browse name, and the URI of its namespace when not 0. */
  browseName: string;
  browseNamespace?: string;
  displayName: string;
  nodeClass: string;
  /** Browse names from the start down to this node. */
  path: string[];
  depth: number;
  /** Variables: the data type's name (`Double`), with `[]` per array dimension. */
  dataType?: string;
  /** Variables: `read`, `write`, `history_read`, ... */
  access?: string[];
  /** Variables: the current value, as a point would carry it (with `readValues`). */
  value?: PointValue | null;
  /** Variables: the status of the value when not Good, or why it cannot be sent. */
  valueProblem?: string;
  /**
   * The node belongs to one client session (this browse's own, or another client's): the
   * diagnostics a server keeps per session and per subscription, gone once it ends, so not a
   * node to map.
   */
  perSession?: true;
  /** Its children were not all listed (the node limit ran out at their level): how many were, and were not. */
  cut?: ChildrenCut;
}

/** What a browse found. */
export interface BrowseResult {
  /** The start node with its namespace URI. */
  start: string;
  /** The start node's browse name; undefined for the Objects folder (or a server that did not say). */
  startName?: string;
  entries: BrowseEntry[];
  /** `maxNodes` (or a server's limit on one node's children) stopped the walk before the end. */
  truncated: boolean;
  /** The start's own children were not all listed. */
  startCut?: ChildrenCut;
  /** Objects listed whose children the node limit left unbrowsed (it ran out before their level). */
  notLookedInto: number;
  namespaces: readonly string[];
  /** The depth the walk went to (`maxDepth` within its bounds). */
  depth: number;
  /** Objects at that depth, whose children were not listed: `--depth` one more would. */
  unfollowed: number;
  /** The most nodes the walk would list (`maxNodes` within its bounds). */
  maxNodes: number;
}

const NODE_CLASS_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(NodeClassId).map(([name, id]) => [id, name]));
const ACCESS_BITS: readonly [number, string][] = [
  [0x01, 'read'],
  [0x02, 'write'],
  [0x04, 'history_read'],
  [0x08, 'history_write'],
  [0x20, 'status_write'],
  [0x40, 'timestamp_write'],
];

/** The names of the bits of an AccessLevel attribute (Part 3, 8.57). Pure. */
export function accessLevelNames(bits: number): string[] {
  return ACCESS_BITS.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
}

/** SessionsDiagnosticsSummary (Part 5, 6.3.3): an object per session below it, besides the two arrays. */
const SESSIONS_SUMMARY = 'i=3706';
/**
 * The arrays whose elements are one session's or one subscription's diagnostics:
 * SessionDiagnosticsArray, SessionSecurityDiagnosticsArray and the server's
 * SubscriptionDiagnosticsArray (Part 5, 6.3.3 and 6.3.1).
 */
const PER_SESSION_ARRAYS = new Set(['i=3707', 'i=3708', 'i=2290']);

/** True for a child of `parent` (itself per session or not) that exists for one session or subscription only. */
function perSessionChild(parent: string, parentPerSession: boolean, child: string): boolean {
  return parentPerSession || PER_SESSION_ARRAYS.has(parent) || (parent === SESSIONS_SUMMARY && !PER_SESSION_ARRAYS.has(child));
}

interface DataValueRead {
  value?: VariantLike | null;
  statusCode?: { value: number };
}

/**
 * Walks the address space below `options.start` breadth first, within `maxDepth` and `maxNodes`
 * (when the nodes left cannot take a whole level, they are shared evenly between its parents, and
 * each parent cut short carries its `cut`),
 * listing Objects and Variables (properties left out); for variables it reads the data type,
 * the access level and (with `readValues`) the current value, 100 variables per request.
 * Nodes that exist for one session only are marked `perSession`. Rejects with `NODE_INVALID` when the start cannot be found.
 */
export async function browseAddressSpace(connection: OpcuaConnection, options: BrowseOptions = {}): Promise<BrowseResult> {
  const { session, opcua } = connection;
  const namespaces = connection.namespaces();
  const maxDepth = Math.min(Math.max(options.maxDepth ?? 3, 1), 10);
  const maxNodes = Math.min(Math.max(options.maxNodes ?? DEFAULT_BROWSE_NODES, 1), MAX_BROWSE_NODES);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startText = options.start ?? OBJECTS_FOLDER;
  const slip = nodeIdSlip(startText);
  if (slip !== undefined) throw new OpcuaBridgeError('NODE_INVALID', slip, { retryable: false });
  const asNode = parseNodeRef(startText);
  const asPath = asNode.ok ? undefined : parseBrowsePath(startText);
  if (!asNode.ok && !asPath?.ok) throw new OpcuaBridgeError('NODE_INVALID', `${startText} is neither a node id (${asNode.message}) nor a browse path`, { retryable: false });
  const location = asNode.ok ? { kind: 'node' as const, ref: asNode.ref, text: startText } : { kind: 'path' as const, steps: asPath!.ok ? asPath!.steps : [], text: startText };
  const found = await createNodeResolver(session, namespaces).resolve(location, { mustExist: true });
  if (!found.ok) throw new OpcuaBridgeError('NODE_INVALID', found.message, { retryable: false });

  const walk = await walkBreadthFirst(session, found.node.nodeId, { maxDepth, maxNodes, timeoutMs, maxChildren: MAX_CHILDREN_READ, idOf: (ref) => toResolved(ref.nodeId, namespaces).nodeId });
  // Below the start a node the server will not browse is listed without children; the start
  // itself is what was asked for, so its refusal is the answer.
  if (walk.refused) throw new OpcuaBridgeError('REQUEST_FAILED', `the server refused to browse ${startText} (${walk.refused})`, { retryable: false });

  // Listed as a tree: each node followed by what was listed below it.
  const entries: BrowseEntry[] = [];
  const variables: { entry: BrowseEntry; nodeId: string }[] = [];
  const add = (nodes: readonly WalkedNode[], parent: string, path: string[], perSession: boolean): void => {
    for (const node of nodes) {
      const child = node.ref;
      const ns = child.browseName.namespaceIndex;
      const entry: BrowseEntry = {
        nodeId: toResolved(child.nodeId, namespaces).text,
        browseName: child.browseName.name,
        ...(ns !== 0 && namespaces[ns] !== undefined ? { browseNamespace: namespaces[ns] } : {}),
        displayName: child.displayName,
        nodeClass: NODE_CLASS_NAMES[child.nodeClass] ?? `NodeClass ${child.nodeClass}`,
        path: [...path, child.browseName.name],
        depth: node.depth,
        ...(node.cut ? { cut: node.cut } : {}),
      };
      const mine = perSessionChild(parent, perSession, node.nodeId);
      if (mine) entry.perSession = true;
      entries.push(entry);
      if (child.nodeClass === NodeClassId.Variable) variables.push({ entry, nodeId: node.nodeId });
      add(node.children, node.nodeId, entry.path, mine);
    }
  };
  add(walk.roots, found.node.nodeId, [], false);
  const truncated = walk.startCut !== undefined || walk.notLookedInto > 0 || entries.some((e) => e.cut);

  const dataTypeNames = new Map(Object.entries(opcua.DataTypeIds).flatMap(([name, id]) => (typeof id === 'number' ? [[id, name] as const] : [])));
  const statusNames = statusNamesFrom(opcua.StatusCodes);
  for (let i = 0; i < variables.length; i += 100) {
    const chunk = variables.slice(i, i + 100);
    const attributes = options.readValues === false ? [14, 15, 17] : [14, 15, 17, 13];
    const reads = chunk.flatMap((v) => attributes.map((attributeId) => ({ nodeId: v.nodeId, attributeId })));
    const values = (await withDeadline(session.read(reads), timeoutMs, 'reading variable attributes')) as unknown as DataValueRead[];
    chunk.forEach((v, k) => {
      const [dataType, valueRank, access, current] = attributes.map((_, a) => values[k * attributes.length + a]);
      const typeId = dataType?.value?.value as NodeIdLike | undefined;
      if (typeId && typeof typeId === 'object') {
        const name = typeId.namespace === 0 && typeof typeId.value === 'number' ? (dataTypeNames.get(typeId.value) ?? STANDARD_DATA_TYPE_NAMES[typeId.value]) : undefined;
        const rank = valueRank?.value?.value;
        // ValueRank (Part 3, 5.6.2): n >= 1 dimensions, 0 one or more; below 0 a scalar may be held.
        const dims = typeof rank === 'number' && rank >= 0 ? '[]'.repeat(Math.max(1, rank)) : '';
        v.entry.dataType = `${name ?? nodeIdToText(typeId, namespaces)}${dims}`;
      }
      const bits = access?.value?.value;
      if (typeof bits === 'number') v.entry.access = accessLevelNames(bits);
      if (current) {
        const code = current.statusCode?.value ?? 0;
        const converted = variantToValue(current.value, { namespaces, statusNames, maxValueBytes: 4096, maxArrayLength: 100 });
        if (converted.ok) v.entry.value = converted.value;
        else v.entry.valueProblem = converted.message;
        if (code >>> 30 !== 0) v.entry.valueProblem = statusName(code, statusNames);
      }
    });
  }
  const unfollowed = entries.filter((e) => e.depth === maxDepth && e.nodeClass === 'Object').length;
  const startName = found.node.nodeId === OBJECTS_FOLDER ? undefined : await browseNameOf(session, found.node.nodeId, timeoutMs);
  return { start: found.node.text, ...(startName === undefined ? {} : { startName }), entries, truncated, ...(walk.startCut ? { startCut: walk.startCut } : {}), notLookedInto: walk.notLookedInto, namespaces, depth: maxDepth, unfollowed, maxNodes };
}

/** A node's browse name (attribute 3), or undefined when the server does not give it. */
async function browseNameOf(session: Parameters<typeof walkBreadthFirst>[0], nodeId: string, timeoutMs: number): Promise<string | undefined> {
  const [read] = (await withDeadline(session.read([{ nodeId, attributeId: 3 }]), timeoutMs, 'reading the start node\'s browse name')) as unknown as DataValueRead[];
  const name = (read?.value?.value as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}
