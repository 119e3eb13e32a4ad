import { OpcuaBridgeError } from './errors.js';

/** Most namespaces kept from a server's NamespaceArray. */
export const MAX_NAMESPACES = 1000;
/** Longest namespace URI kept, in characters. */
export const MAX_NAMESPACE_URI_CHARS = 4096;

/** The NodeId of Server_NamespaceArray (Part 5, i=2255). */
export const NAMESPACE_ARRAY_NODE = 'i=2255';

/** A session that can read one attribute, as node-opcua's `ClientSession` can. */
export interface ReadsValue {
  read(node: { nodeId: string; attributeId: number }): Promise<{ value?: { value?: unknown } | null; statusCode?: { name?: string; value?: number } }>;
}

/**
 * Checks a NamespaceArray as a server sent it: a list of text, bounded in count and length
 * before it is kept. Pure.
 */
export function checkNamespaceArray(value: unknown): string[] {
  if (!Array.isArray(value)) throw new OpcuaBridgeError('REQUEST_FAILED', 'the server sent a NamespaceArray that is not a list', { retryable: true });
  if (value.length > MAX_NAMESPACES) throw new OpcuaBridgeError('REQUEST_FAILED', `the server's NamespaceArray has ${value.length} entries (at most ${MAX_NAMESPACES})`, { retryable: false });
  return value.map((uri, i) => {
    if (typeof uri !== 'string') throw new OpcuaBridgeError('REQUEST_FAILED', `entry ${i} of the server's NamespaceArray is not text`, { retryable: false });
    return uri.length > MAX_NAMESPACE_URI_CHARS ? uri.slice(0, MAX_NAMESPACE_URI_CHARS) : uri;
  });
}

/** Reads the server's NamespaceArray (index -> URI) through `session`. */
export async function readNamespaces(session: ReadsValue): Promise<string[]> {
  const dataValue = await session.read({ nodeId: NAMESPACE_ARRAY_NODE, attributeId: 13 });
  const code = dataValue.statusCode?.value ?? 0;
  if (code >>> 30 !== 0) {
    throw new OpcuaBridgeError('REQUEST_FAILED', `the server refused to read its NamespaceArray (${dataValue.statusCode?.name ?? code})`, { retryable: true });
  }
  return checkNamespaceArray(dataValue.value?.value);
}
