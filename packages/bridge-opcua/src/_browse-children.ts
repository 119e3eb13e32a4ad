import type { ClientSession } from 'node-opcua';
import type { NodeIdLike } from './node-ref.js';

/** A node found below another by a hierarchical reference. */
export interface ChildRef {
  /** node-opcua's ExpandedNodeId of the child. */
  nodeId: NodeIdLike & { toString(): string };
  browseName: { name: string; namespaceIndex: number };
  displayName: string;
  /** NodeClass (Part 3, 8.29): 1 Object, 2 Variable, 4 Method, ... */
  nodeClass: number;
  /** The child's type definition (e.g. FolderType, AnalogItemType), when the server says. */
  typeDefinition?: NodeIdLike;
}

/** HasProperty (i=46): properties (EURange, EngineeringUnits, ...) describe a node rather than being data. */
const HAS_PROPERTY = 46;
/** HasEventSource and HasNotifier (its subtype): how events travel up to a notifier, not where a node sits. */
const EVENT_REFERENCES = new Set([36, 48]);

/** NodeClass numbers used here (Part 3, 8.29). */
export const NodeClassId = { Object: 1, Variable: 2, Method: 4, ObjectType: 8, VariableType: 16, ReferenceType: 32, DataType: 64, View: 128 } as const;

/** What one browse of a node gave. */
export interface Children {
  children: ChildRef[];
  /** Children seen (kept or only counted: see `keep`), at most `maxChildren` with `uncounted`; those of `uncountedMask` are not in it. */
  count: number;
  /** Children of the classes of `uncountedMask` (kept whatever `keep` says); 0 without it. */
  uncounted: number;
  /** More children exist than `maxChildren`. */
  truncated: boolean;
  /** The status name when the server refused to browse the node (e.g. BadNodeIdUnknown). */
  refused?: string;
}

interface ReferenceLike {
  referenceTypeId?: NodeIdLike | null;
  nodeId: ChildRef['nodeId'];
  browseName?: { name?: string | null; namespaceIndex?: number } | null;
  displayName?: { text?: string | null } | null;
  nodeClass: number;
  typeDefinition?: NodeIdLike | null;
}

interface BrowseResultLike {
  statusCode: { name: string; isGood(): boolean };
  continuationPoint?: Buffer | null;
  references?: ReferenceLike[] | null;
}

/**
 * The Objects and Variables below `nodeId` (forward HierarchicalReferences, subtypes included,
 * properties and event references left out),
 * following continuation points up to `maxChildren` and releasing what is left. `nodeClassMask`
 * narrows the node classes (default Object | Variable). The first `keep` children (default all
 * of `maxChildren`) are kept; the others up to `maxChildren` are only counted. Children of the
 * classes of `uncountedMask` (default none) are all kept and counted apart, in `uncounted`: a
 * walk that budgets variables keeps every object it may look into.
 */
export async function browseChildren(
  session: ClientSession,
  nodeId: string,
  maxChildren: number,
  nodeClassMask: number = NodeClassId.Object | NodeClassId.Variable,
  keep = maxChildren,
  uncountedMask = 0,
): Promise<Children> {
  const first = (await session.browse({
    nodeId,
    browseDirection: 0,
    referenceTypeId: 'i=33',
    includeSubtypes: true,
    nodeClassMask,
    resultMask: 63,
  })) as unknown as BrowseResultLike;
  if (!first.statusCode.isGood()) return { children: [], count: 0, uncounted: 0, truncated: false, refused: first.statusCode.name };
  const children: ChildRef[] = [];
  let count = 0;
  let uncounted = 0;
  let kept = 0;
  // A page may hold more references than `maxChildren`, with no continuation point after it.
  let over = false;
  let result: BrowseResultLike = first;
  for (;;) {
    for (const ref of result.references ?? []) {
      // Left out: properties, and event references (the Server object's HasNotifier to a boiler
      // would otherwise list the boiler under Server, and a walk from Objects meets it there first).
      if (ref.referenceTypeId?.namespace === 0 && (ref.referenceTypeId.value === HAS_PROPERTY || EVENT_REFERENCES.has(ref.referenceTypeId.value as number))) continue;
      if (count + uncounted >= maxChildren) {
        over = true;
        break;
      }
      if ((ref.nodeClass & uncountedMask) !== 0) {
        uncounted++;
      } else {
        count++;
        if (kept >= keep) continue;
        kept++;
      }
      children.push({
        nodeId: ref.nodeId,
        browseName: { name: ref.browseName?.name ?? '', namespaceIndex: ref.browseName?.namespaceIndex ?? 0 },
        displayName: ref.displayName?.text ?? ref.browseName?.name ?? '',
        nodeClass: ref.nodeClass,
        ...(ref.typeDefinition ? { typeDefinition: ref.typeDefinition } : {}),
      });
    }
    const point = result.continuationPoint;
    if (!point || point.length === 0) return { children, count, uncounted, truncated: over };
    if (count + uncounted >= maxChildren) {
      // Release the server's continuation point: it holds resources until then.
      await session.browseNext([point], true).catch(() => undefined);
      return { children, count, uncounted, truncated: true };
    }
    const [next] = (await session.browseNext([point], false)) as unknown as BrowseResultLike[];
    if (!next || !next.statusCode.isGood()) return { children, count, uncounted, truncated: true };
    result = next;
  }
}
