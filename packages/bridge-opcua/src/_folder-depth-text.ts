import { MAX_DEPTH_PROBES, type FolderDeep } from './_folder-depth-probe.js';
import { listed, quoted, safe } from './_folder-cut-text.js';
import type { FolderExpansion } from './_folder-walk.js';
import { SPEC_LIMITS } from './item-spec.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function deepText(deep: FolderDeep): string {
  const below = deep.atLeast
    ? `more than ${deep.variables + deep.objects} variables and objects`
    : [deep.variables > 0 ? plural(deep.variables, 'variable') : '', deep.objects > 0 ? plural(deep.objects, 'object') : ''].filter(Boolean).join(' and ');
  return `${safe(deep.path.join('/'))} (node_id: ${quoted(safe(deep.nodeId))}; ${below} below it)`;
}

/**
 * What a folder's `max_depth` left unlooked into: the Objects at that depth with Variables or
 * Objects below them (each with its node id and what is below it), and how to take them: the
 * `max_depth` that looks into them, or a `folders[]` entry of its own. Undefined when the depth
 * left nothing out. Pure.
 */
export function folderDepthText(key: string, folderText: string, maxDepth: number, expansion: Pick<FolderExpansion, 'deep' | 'deepUnprobed'>): string | undefined {
  const { deep, deepUnprobed } = expansion;
  if (deep.length === 0 && deepUnprobed === 0) return undefined;
  const parts: string[] = [];
  if (deep.length > 0) parts.push(`${listed(deep, deepText, 'objects')} not looked into`);
  if (deepUnprobed > 0) parts.push(`${plural(deepUnprobed, deep.length > 0 ? 'more object' : 'object')} at depth ${maxDepth} not looked into nor probed for what is below them (only the first ${MAX_DEPTH_PROBES} are)`);
  // Variables directly below one of them are one level down; below objects only, two at least.
  const reach = deep.some((d) => d.variables > 0) || deep.length === 0 ? maxDepth + 1 : maxDepth + 2;
  const deeper = deep.some((d) => d.objects > 0) ? ' (more for what lies below their objects)' : '';
  const ways =
    reach <= SPEC_LIMITS.maxFolderDepth
      ? [`raise max_depth to ${reach}${deeper}`, 'add a folders[] entry for one of them (its node_id as above, with a metric template of its own)']
      : [`add a folders[] entry for one of them (its node_id as above, with a metric template of its own): max_depth takes at most ${SPEC_LIMITS.maxFolderDepth}`];
  return `folder ${key} (${safe(folderText)}): max_depth ${maxDepth} stopped at objects with more below them: ${parts.join('; ')}. To take what is below them, ${ways.join(', or ')}`;
}

/** The note that the Server object was left out below a folder, and how to monitor it. Pure. */
export function serverLeftOutText(key: string, folderText: string, path: readonly string[]): string {
  return `folder ${key} (${safe(folderText)}): left out the Server object below it (${safe(path.join('/'))}, i=2253): the server's diagnostics of itself and of every session, ours too, not the plant's data, and they change with each session; to monitor them, add a folders[] entry with node_id: i=2253`;
}

/** The note that per-session diagnostics were left out below a folder, and how to monitor them. Pure. */
export function perSessionLeftOutText(key: string, folderText: string, paths: readonly (readonly string[])[]): string {
  const where = paths.map((p) => safe(p.join('/'))).join(', ');
  return `folder ${key} (${safe(folderText)}): left out the diagnostics of each client session and subscription below it (${where}): one item per session, ours among them, each gone when its session ends; to monitor them, add a folders[] entry with node_id: i=3706 (sessions) or i=2290 (subscriptions)`;
}
