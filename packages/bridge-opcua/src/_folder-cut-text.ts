import { excerpt, oneLine } from '@fieldbridge/core/bridge';
import type { FolderCut, FolderExpansion, FolderUnbrowsed } from './_folder-walk.js';
import { SPEC_LIMITS } from './item-spec.js';

/** Sub-folders named in one message; the others are counted. */
const NAMED = 10;

/** Text from the server (browse names, node ids) as it goes into a message: one line, bounded. */
export const safe = (text: string): string => excerpt(oneLine(text), 300);

/** A node id as a mapping takes it, in single quotes (what an S7 id's own quotes need). */
export const quoted = (nodeId: string): string => `'${nodeId.replace(/'/g, "''")}'`;

function where(node: { path: readonly string[]; nodeId: string }): string {
  return node.path.length === 0 ? 'directly in the folder' : `in ${safe(node.path.join('/'))} (node_id: ${quoted(safe(node.nodeId))})`;
}

function cutText(cut: FolderCut): string {
  const more = cut.atLeast ? 'more than ' : '';
  const objects = cut.objectsLeft > 0 ? ` and ${cut.objectsLeft} sub-folder${cut.objectsLeft === 1 ? '' : 's'}` : '';
  return `${more}${cut.left} of ${more}${cut.taken + cut.left}${objects} ${where(cut)}`;
}

/** The first items named, the others counted as `what`. */
export function listed<T>(items: readonly T[], text: (item: T) => string, what: string): string {
  const named = items.slice(0, NAMED).map(text).join(', ');
  const rest = items.length - NAMED;
  return rest > 0 ? `${named} and ${rest} more ${what}` : named;
}

/**
 * What a folder cut short by `max_items` left out, per sub-folder (how many of its variables,
 * and its node id), and how to take them: the `max_items` that takes them all, or a `folders[]`
 * entry of its own for a sub-folder. Undefined when nothing was left out. Pure.
 */
export function folderCutText(key: string, folderText: string, maxItems: number, expansion: Pick<FolderExpansion, 'variables' | 'cuts' | 'unbrowsed'>): string | undefined {
  const cuts = expansion.cuts.filter((c) => c.left > 0 || c.atLeast || c.objectsLeft > 0);
  const { unbrowsed } = expansion;
  if (cuts.length === 0 && unbrowsed.length === 0) return undefined;
  const taken = expansion.variables.length;
  const left = cuts.reduce((sum, c) => sum + c.left, 0);
  const lowerBound = unbrowsed.length > 0 || cuts.some((c) => c.atLeast || c.objectsLeft > 0);
  const all = taken + left;
  const subFolders = cuts.some((c) => c.path.length > 0) || unbrowsed.length > 0;
  const shared = subFolders ? ', shared evenly between its sub-folders' : '';
  const parts = [`folder ${key} (${safe(folderText)}): max_items ${maxItems} took ${taken} of ${lowerBound ? 'at least ' : ''}${all} variables${shared}`];
  if (cuts.length > 0) parts.push(`left out ${listed(cuts, cutText, 'sub-folders')}`);
  if (unbrowsed.length > 0) {
    const n = unbrowsed.length;
    parts.push(`${n} sub-folder${n === 1 ? '' : 's'} not looked into (max_items ran out before their level): ${listed(unbrowsed, (u: FolderUnbrowsed) => where(u).replace(/^in /, ''), 'sub-folders')}`);
  }
  const ways: string[] = [];
  if (all <= SPEC_LIMITS.maxFolderItems) ways.push(`raise max_items to ${lowerBound ? 'at least ' : ''}${all}`);
  if (subFolders) ways.push('add a folders[] entry for a sub-folder (its node_id as above, with a metric template of its own)');
  if (ways.length === 0) ways.push(`split the folder: max_items takes at most ${SPEC_LIMITS.maxFolderItems}`);
  return `${parts.join('; ')}. To take them, ${ways.join(', or ')}`;
}
