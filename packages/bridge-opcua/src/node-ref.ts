import { IdentifierKind } from './builtin-types.js';
import { nodeIdSlip, s7NameSlip } from './node-id-slips.js';

/** The identifier part of a NodeId, by the letter of its text form (Part 6, 5.3.1.10). */
export type NodeIdentifier =
  | { kind: 'i'; value: number }
  | { kind: 's'; value: string }
  | { kind: 'g'; value: string }
  | { kind: 'b'; value: string };

/**
 * A node named in a mapping: `ns=2;s=Boiler.Temperature` names its namespace by index (which a
 * server may reorder on restart), `nsu=urn:plant:boiler;s=Boiler.Temperature` by URI (resolved
 * through the server's NamespaceArray at every connect, so the mapping survives a reordering).
 */
export interface NodeRef {
  namespace: { index: number } | { uri: string };
  identifier: NodeIdentifier;
}

/** {@link parseNodeRef}'s answer. */
export type ParsedNodeRef = { ok: true; ref: NodeRef } | { ok: false; message: string };

/** Longest node id text accepted, in characters (a string identifier may be up to 4096 long). */
export const MAX_NODE_ID_CHARS = 4200;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EXAMPLES = 'e.g. ns=2;s=Boiler.Temperature, nsu=urn:plant:boiler;s=Boiler.Temperature or i=2253';

/**
 * Parses the text form of a node id: `[ns=<index>;|nsu=<uri>;]<i|s|g|b>=<identifier>`. Without a
 * namespace the node is in namespace 0. Never throws: a malformed text gives a message that
 * shows the accepted forms.
 */
export function parseNodeRef(text: string): ParsedNodeRef {
  if (text.length > MAX_NODE_ID_CHARS) return { ok: false, message: `node id is longer than ${MAX_NODE_ID_CHARS} characters` };
  const slip = nodeIdSlip(text);
  if (slip !== undefined) return { ok: false, message: slip };
  let namespace: NodeRef['namespace'] = { index: 0 };
  let rest = text;
  const byUri = /^nsu=(.+?);([isgb]=[\s\S]*)$/.exec(text);
  const byIndex = /^ns=(\d{1,5});([\s\S]*)$/.exec(text);
  if (byUri) {
    namespace = { uri: unescapeNamespaceUri(byUri[1]!) };
    rest = byUri[2]!;
  } else if (byIndex) {
    const index = Number(byIndex[1]);
    if (index > 65535) return { ok: false, message: `"${text}": namespace index ${index} is above 65535` };
    namespace = { index };
    rest = byIndex[2]!;
  } else if (/^nsu?=/.test(text)) {
    return { ok: false, message: `"${short(text)}" is not a node id (${EXAMPLES})` };
  }
  const identifier = parseIdentifier(rest);
  if (typeof identifier === 'string') return { ok: false, message: `"${short(text)}": ${identifier} (${EXAMPLES})` };
  const cut = identifier.kind === 's' ? s7NameSlip(identifier.value) : undefined;
  if (cut !== undefined) return { ok: false, message: `"${short(text)}": ${cut}` };
  return { ok: true, ref: { namespace, identifier } };
}

function parseIdentifier(text: string): NodeIdentifier | string {
  const kind = text.slice(0, 2);
  const value = text.slice(2);
  switch (kind) {
    case 'i=': {
      if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) return 'a numeric identifier is a whole number from 0 to 4294967295';
      return { kind: 'i', value: Number(value) };
    }
    case 's=':
      if (value.length === 0) return 'a string identifier is empty';
      return { kind: 's', value };
    case 'g=':
      if (!GUID.test(value)) return 'a Guid identifier looks like 72962b91-fa75-4ae6-8d28-b404dc7daf63';
      return { kind: 'g', value };
    case 'b=':
      if (value.length === 0 || !BASE64.test(value)) return 'an opaque identifier is base64 text';
      return { kind: 'b', value };
    default:
      return 'the identifier must start with i=, s=, g= or b=';
  }
}

/**
 * A namespace URI as the text form of a node id writes it (OPC UA Part 6, ExpandedNodeId): its
 * reserved characters, `;` (which ends the URI) and `%`, as `%3B` and `%25`.
 */
function escapeNamespaceUri(uri: string): string {
  return uri.replace(/%/g, '%25').replace(/;/g, '%3B');
}

/** The namespace URI an `nsu=` text names: `%3B` and `%25` (any case) are `;` and `%`; other text is kept as written. */
function unescapeNamespaceUri(text: string): string {
  return text.replace(/%(3b|25)/gi, (_, code: string) => (code === '25' ? '%' : ';'));
}

function short(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The text form of `ref`, as a user would write it. */
export function formatNodeRef(ref: NodeRef): string {
  const id = `${ref.identifier.kind}=${ref.identifier.value}`;
  if ('uri' in ref.namespace) return `nsu=${escapeNamespaceUri(ref.namespace.uri)};${id}`;
  return ref.namespace.index === 0 ? id : `ns=${ref.namespace.index};${id}`;
}

/** {@link resolveNodeRef}'s answer: a node id with a namespace index valid on this server. */
export type ResolvedNodeRef = { ok: true; nodeId: string; namespaceIndex: number } | { ok: false; message: string };

/**
 * Turns `ref` into the `ns=<index>;...` form for this server, looking an `nsu=` URI up in the
 * server's NamespaceArray. A URI the server does not have, or an index past its NamespaceArray
 * (when it was read: `namespaces` not empty), is refused with the namespaces it has.
 */
export function resolveNodeRef(ref: NodeRef, namespaces: readonly string[]): ResolvedNodeRef {
  const known = (): string => namespaces.map((uri, i) => `${i}: ${uri}`).join(', ') || 'none';
  let index: number;
  if ('uri' in ref.namespace) {
    index = namespaces.indexOf(ref.namespace.uri);
    if (index < 0) return { ok: false, message: `the server has no namespace "${ref.namespace.uri}" (it has ${known()})` };
  } else {
    index = ref.namespace.index;
    if (namespaces.length > 0 && index >= namespaces.length) return { ok: false, message: `the server has no namespace ${index} (it has ${known()})` };
  }
  const id = `${ref.identifier.kind}=${ref.identifier.value}`;
  return { ok: true, nodeId: index === 0 ? id : `ns=${index};${id}`, namespaceIndex: index };
}

/** The parts of a node-opcua `NodeId` (or `ExpandedNodeId`) the text forms need. */
export interface NodeIdLike {
  identifierType: number;
  value: unknown;
  namespace: number;
  /** ExpandedNodeId only. */
  namespaceUri?: string | null;
  /** ExpandedNodeId only. */
  serverIndex?: number;
}

/**
 * The text form of a NodeId or ExpandedNodeId received from a server. With `namespaces` (the
 * server's NamespaceArray), a node outside namespace 0 is written with its URI (`nsu=...`), the
 * form that survives a reordering; without, with its index.
 */
export function nodeIdToText(node: NodeIdLike, namespaces?: readonly string[]): string {
  let id: string;
  switch (node.identifierType) {
    case IdentifierKind.Numeric:
      id = `i=${String(node.value)}`;
      break;
    case IdentifierKind.Guid:
      id = `g=${String(node.value).toLowerCase()}`;
      break;
    case IdentifierKind.Opaque:
      id = `b=${node.value instanceof Uint8Array ? Buffer.from(node.value).toString('base64') : String(node.value)}`;
      break;
    default:
      id = `s=${String(node.value)}`;
  }
  const server = node.serverIndex ? `svr=${node.serverIndex};` : '';
  if (node.namespaceUri) return `${server}nsu=${escapeNamespaceUri(node.namespaceUri)};${id}`;
  if (node.namespace === 0) return `${server}${id}`;
  const uri = namespaces?.[node.namespace];
  return uri === undefined ? `${server}ns=${node.namespace};${id}` : `${server}nsu=${escapeNamespaceUri(uri)};${id}`;
}
