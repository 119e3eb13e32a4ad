import type { ClientSession } from 'node-opcua';
import { browseChildren, NodeClassId } from './_browse-children.js';
import { withDeadline } from './_deadline.js';

/** Most Objects at a folder's `max_depth` probed for what is below them; the others are counted. */
export const MAX_DEPTH_PROBES = 1000;
/** Most children of one probed Object counted. */
const PROBE_CHILDREN = 1000;

/** An Object at a folder's `max_depth` with nodes below it that the walk did not look into. */
export interface FolderDeep {
  /** Browse names from the folder down to it. */
  path: string[];
  /** Its node id with its namespace URI: what a `folders[]` entry of its own names. */
  nodeId: string;
  /** Variables directly below it (properties aside). */
  variables: number;
  /** Objects directly below it. */
  objects: number;
  /** It has more children than a probe counts ({@link PROBE_CHILDREN}): the counts are lower bounds. */
  atLeast: boolean;
}

/**
 * Browses each Object at a folder's depth limit once, counting its Variables and Objects (not
 * walking further), so the limit says which of them hold something: an Object with only
 * properties or methods below it is not one the user misses. At most {@link MAX_DEPTH_PROBES}
 * are probed, in the order given; a node the server refuses to browse is left out (a deeper walk
 * could not look into it either).
 */
export async function probeBelowLimit(
  session: ClientSession,
  objects: readonly { nodeId: string; path: string[]; text: string }[],
  timeoutMs: number,
): Promise<{ deep: FolderDeep[]; unprobed: number }> {
  const deep: FolderDeep[] = [];
  for (const object of objects.slice(0, MAX_DEPTH_PROBES)) {
    const below = await withDeadline(
      browseChildren(session, object.nodeId, PROBE_CHILDREN, NodeClassId.Object | NodeClassId.Variable, 0, NodeClassId.Object),
      timeoutMs,
      `browsing ${object.nodeId}`,
    );
    if (below.refused || below.count + below.uncounted === 0) continue;
    deep.push({ path: object.path, nodeId: object.text, variables: below.count, objects: below.uncounted, atLeast: below.truncated });
  }
  return { deep, unprobed: Math.max(0, objects.length - MAX_DEPTH_PROBES) };
}
