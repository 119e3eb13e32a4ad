import { folderVariableTarget, walkFound, type ExpandedFolder, type FolderWalker, type Target } from './_targets.js';
import type { NodeResolver } from './resolve-nodes.js';

/** What a walk of a folder found against what it monitors: the targets of variables new to it, those of variables gone. */
export interface FolderRescan {
  added: Target[];
  removed: Target[];
  /** What the walk left out now (`folder_truncated`), if anything. */
  cut?: string;
}

/** Names listed in a rescan's log line, per side; the rest are counted. */
const NAMES_SHOWN = 5;

/**
 * Walks `folder` again and sets its targets to what the walk found, in the walk's order: the
 * targets of variables still found are kept as they are (their items untouched), a variable new
 * to the folder gets a `pending` target, and the targets of variables no longer found (deleted,
 * or now past `max_items`) are returned in `removed`. Variables are matched by node id with its
 * namespace URI, so a reordering of namespace indexes moves nothing. Resolves with `{ gone }` and
 * changes nothing when the folder itself is gone (its node does not exist, or its browse path
 * leads nowhere). A server that refuses to browse or read it (busy: BadTooManyOperations,
 * BadResourceUnavailable) is no answer: that rejects, and the items stay as they are. Nodes
 * below it the server refused to browse hide what is under them, so a variable not found then is
 * kept (taken out by a later rescan that sees the whole folder); new ones are added.
 */
export async function rescanFolder(folder: ExpandedFolder, resolver: NodeResolver, walk: FolderWalker, publishingIntervalMs: number): Promise<FolderRescan | { gone: string }> {
  const found = await resolver.resolve(folder.location, { mustExist: true });
  if (!found.ok) {
    if (found.gone) return { gone: found.message };
    throw new Error(found.message);
  }
  const walked = await walkFound(walk, folder, found.node);
  if ('refused' in walked) throw new Error(`the server refused to browse it (${walked.refused})`);
  const current = new Map(folder.targets.map((t) => [t.resolved!.text, t] as const));
  const added: Target[] = [];
  const targets = walked.variables.map((variable) => {
    const kept = current.get(variable.text);
    if (kept) {
      current.delete(variable.text);
      return kept;
    }
    const target = folderVariableTarget(folder, variable, publishingIntervalMs);
    added.push(target);
    return target;
  });
  // Below a node it could not browse, a variable not found may be there still: kept.
  const unseen = [...current.values()];
  if (walked.refusedBelow > 0) targets.push(...unseen);
  folder.node = found.node;
  folder.targets = targets;
  return { added, removed: walked.refusedBelow > 0 ? [] : unseen, ...(walked.cut === undefined ? {} : { cut: walked.cut }) };
}

/**
 * The log line of a rescan that changed a folder's items: how many variables are new and gone,
 * the first names of each (their browse paths below the folder), and how many it monitors now.
 */
export function rescanText(folder: ExpandedFolder, change: FolderRescan): string {
  const names = (list: readonly Target[]): string => {
    const shown = list.slice(0, NAMES_SHOWN).map((t) => t.browsePath?.join('/') ?? t.label);
    return `${shown.join(', ')}${list.length > NAMES_SHOWN ? ` and ${list.length - NAMES_SHOWN} more` : ''}`;
  };
  const parts: string[] = [];
  if (change.added.length > 0) parts.push(`${change.added.length} new (${names(change.added)})`);
  if (change.removed.length > 0) parts.push(`${change.removed.length} gone${change.cut === undefined ? '' : ' or now past max_items'} (${names(change.removed)}), no longer monitored`);
  return `folder ${folder.spec.key} (${folder.location.text}) browsed again: ${parts.join('; ')}; ${folder.targets.length} variable${folder.targets.length === 1 ? '' : 's'} below it now`;
}
