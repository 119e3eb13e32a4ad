import type { ClientSession } from 'node-opcua';
import { browseChildren, type ChildRef, type Children } from './_browse-children.js';
import { browseMissHint } from './_browse-miss-hint.js';
import { formatBrowsePath } from './browse-path.js';
import type { Location } from './item-spec.js';
import { nodeIdToText, parseNodeRef, resolveNodeRef, type NodeRef } from './node-ref.js';

/** The Objects folder (i=85): where browse paths start. */
export const OBJECTS_FOLDER = 'i=85';

/** The NodeClass attribute (Part 3, 5.2.1): every node has one, so reading it tells whether the node exists. */
const NODE_CLASS_ATTRIBUTE = 2;

/** Most children read per node while resolving (continuation points followed up to this). */
export const MAX_CHILDREN_PER_NODE = 10_000;

/** A node found on this server. */
export interface ResolvedNode {
  /** `ns=<index>;...`: valid on this server now. */
  nodeId: string;
  /**
   * What finds the node again after the server reordered its namespaces: the node id as the
   * mapping wrote it, or with its namespace URI for nodes found by browse names.
   */
  ref: NodeRef;
  /** The node with its namespace URI (`nsu=...`), for records and messages. */
  text: string;
}

/** {@link NodeResolver.resolve}'s answer. */
/** `gone`: the server says the node is not there (BadNodeIdUnknown, or no child of that name), not that it would not answer. */
export type Resolution = { ok: true; node: ResolvedNode } | { ok: false; message: string; gone?: true };

/** A variable found below a folder. */
export interface FolderVariable extends ResolvedNode {
  /** Browse names from the folder down to the variable. */
  browsePath: string[];
}

/** Resolves locations on one server, reading each node's children at most once per resolver. A folder's variables are found by `walkFolder` (`_folder-walk.ts`). */
export interface NodeResolver {
  /**
   * Finds the node `location` names. A browse path is found by browsing, so it exists; a node id
   * is only put into this server's namespace indexes, unless `mustExist` (one read more): a node
   * to monitor that does not exist is refused by the server with its status anyway.
   */
  resolve(location: Location, options?: { mustExist?: boolean }): Promise<Resolution>;
}

/** The URI form of node `nodeId` (a node-opcua NodeId or ExpandedNodeId) on a server with `namespaces`. */
export function toResolved(nodeId: ChildRef['nodeId'], namespaces: readonly string[]): ResolvedNode {
  const text = nodeIdToText(nodeId, namespaces);
  const parsed = parseNodeRef(text);
  const indexed = nodeIdToText(nodeId);
  // A text this package wrote always parses; the fallback only keeps the types honest.
  const ref: NodeRef = parsed.ok ? parsed.ref : { namespace: { index: nodeId.namespace }, identifier: { kind: 's', value: String(nodeId.value) } };
  return { nodeId: indexed, ref, text };
}

/** A {@link NodeResolver} over `session`, for a server whose NamespaceArray is `namespaces`. */
export function createNodeResolver(session: ClientSession, namespaces: readonly string[]): NodeResolver {
  const cache = new Map<string, Promise<Children>>();
  const children = (nodeId: string): Promise<Children> => {
    let found = cache.get(nodeId);
    if (!found) {
      found = browseChildren(session, nodeId, MAX_CHILDREN_PER_NODE);
      cache.set(nodeId, found);
    }
    return found;
  };

  const resolvePath = async (location: Extract<Location, { kind: 'path' }>): Promise<Resolution> => {
    let current = OBJECTS_FOLDER;
    let currentName = 'Objects';
    for (const [i, step] of location.steps.entries()) {
      const listed = await children(current);
      if (listed.refused) return { ok: false, message: `browse path ${location.text}: the server refused to browse ${currentName} (${listed.refused})` };
      const matches = listed.children.filter((c) => c.browseName.name === step.name && (step.namespaceIndex === undefined || c.browseName.namespaceIndex === step.namespaceIndex));
      const distinct = new Map(matches.map((m) => [m.nodeId.toString(), m]));
      if (distinct.size === 0) {
        // Names come from the server: a few, each cut short, so the message stays readable.
        const names = listed.children.slice(0, 20).map((c) => (c.browseName.name.length > 40 ? `${c.browseName.name.slice(0, 37)}...` : c.browseName.name)).join(', ');
        const hint = browseMissHint(location.steps, i, listed.children.map((c) => c.browseName.name));
        return { ok: false, gone: true, message: `browse path ${location.text}: ${currentName} has no child named ${formatBrowsePath([step])} (it has ${names || 'none'})${hint}` };
      }
      if (distinct.size > 1) {
        const options = [...distinct.values()].map((m) => `${m.browseName.namespaceIndex}:${m.browseName.name}`).join(' or ');
        return { ok: false, message: `browse path ${location.text}: ${currentName} has several children named ${step.name}; write ${options}` };
      }
      const [only] = distinct.values();
      current = nodeIdToText(only!.nodeId);
      currentName = formatBrowsePath(location.steps.slice(0, i + 1));
      if (i === location.steps.length - 1) return { ok: true, node: toResolved(only!.nodeId, namespaces) };
    }
    return { ok: true, node: { nodeId: OBJECTS_FOLDER, ref: { namespace: { index: 0 }, identifier: { kind: 'i', value: 85 } }, text: OBJECTS_FOLDER } };
  };

  const exists = async (nodeId: string, text: string): Promise<Extract<Resolution, { ok: false }> | undefined> => {
    const read = (await session.read({ nodeId, attributeId: NODE_CLASS_ATTRIBUTE })) as unknown as { statusCode: { name: string; isGood(): boolean } };
    if (read.statusCode.isGood()) return undefined;
    return read.statusCode.name === 'BadNodeIdUnknown'
      ? { ok: false, gone: true, message: `node ${text} does not exist on the server (BadNodeIdUnknown)` }
      : { ok: false, message: `node ${text}: the server refused to read it (${read.statusCode.name})` };
  };

  return {
    async resolve(location, options = {}) {
      if (location.kind === 'path') return resolvePath(location);
      const resolved = resolveNodeRef(location.ref, namespaces);
      if (!resolved.ok) return { ok: false, message: `node ${location.text}: ${resolved.message}` };
      // The reference stays as written: an `ns=` index keeps meaning that index after the server
      // reorders its namespaces (as it would at the next start), an `nsu=` URI follows the URI.
      const uri = namespaces[resolved.namespaceIndex];
      const id = `${location.ref.identifier.kind}=${location.ref.identifier.value}`;
      const text = resolved.namespaceIndex === 0 || uri === undefined ? resolved.nodeId : `nsu=${uri};${id}`;
      const missing = options.mustExist ? await exists(resolved.nodeId, location.text) : undefined;
      if (missing !== undefined) return missing;
      return { ok: true, node: { nodeId: resolved.nodeId, ref: location.ref, text } };
    },
  };
}
