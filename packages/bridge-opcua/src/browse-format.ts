import { flowYaml, oneLine } from '@fieldbridge/core/bridge';
import { shellWord } from './_shell-word.js';
import type { ChildrenCut } from './_browse-walk.js';
import { DEFAULT_BROWSE_NODES, MAX_BROWSE_NODES, type BrowseEntry, type BrowseResult } from './browse.js';

// Text from the server goes into comments and lines through oneLine: a line break there would
// break the YAML.

/** Longest value text shown per line of the text listing, in characters. */
const VALUE_CHARS = 60;

function valueText(entry: BrowseEntry): string {
  if (entry.valueProblem) return `  (${entry.valueProblem})`;
  if (entry.value === undefined) return '';
  const text = JSON.stringify(entry.value) ?? 'null';
  return `  = ${text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 3)}...` : text}`;
}

/**
 * The address space as text, one node per line, indented by depth: name, node class, data type
 * and access for variables, node id with its namespace URI, current value. Preceded by the
 * server's namespaces. Pure.
 */
export function formatBrowseText(result: BrowseResult): string {
  const lines = ['Namespaces:', ...result.namespaces.map((uri, i) => `  ${i}  ${uri}`), '', `Below ${result.start}:`];
  for (const item of listing(result)) {
    if ('cut' in item) {
      lines.push(oneLine(`${'  '.repeat(item.depth + 1)}... ${cutText(item, result, '')}`));
      continue;
    }
    const { entry } = item;
    const details = [entry.nodeClass, entry.dataType, entry.access?.join('+')].filter(Boolean).join(', ');
    lines.push(oneLine(`${'  '.repeat(entry.depth)}${entry.browseName}  [${details}]  ${entry.nodeId}${valueText(entry)}`));
  }
  if (result.entries.length === 0) lines.push('  (no objects or variables)');
  if (result.truncated) lines.push('', `... ${truncatedText(result)}`);
  if (result.unfollowed > 0) lines.push('', unfollowedText(result));
  return `${lines.join('\n')}\n`;
}

/**
 * A metric name from browse names: lower case, runs of characters other than letters, digits,
 * `_` and `-` turned into `_`, levels joined with `.`; at most 256 characters. Pure.
 */
export function metricNameFromPath(path: readonly string[]): string {
  const name = path
    .map((part) =>
      part
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '_')
        .replace(/^_+|_+$/g, ''),
    )
    .filter((part) => part.length > 0)
    .join('.');
  return (name || 'value').slice(0, 256);
}

/** Options of {@link formatBrowseMapping}. */
export interface MappingFormatOptions {
  /** Put before every metric name, e.g. `line1.` Default the browsed node's name (`db_line.`), none below Objects. */
  metricPrefix?: string;
}

/** A node whose children were not all listed, and where its note goes. */
interface CutNode {
  /** Empty for the start. */
  nodeId: string;
  /** 0 for the start. */
  depth: number;
  cut: ChildrenCut;
}

/**
 * The entries in order, each node cut short followed, after everything listed below it, by
 * its note; the start's note last. Pure.
 */
function listing(result: BrowseResult): ({ entry: BrowseEntry } | CutNode)[] {
  const items: ({ entry: BrowseEntry } | CutNode)[] = [];
  const open: CutNode[] = [];
  for (const entry of result.entries) {
    while (open.length > 0 && open.at(-1)!.depth >= entry.depth) items.push(open.pop()!);
    items.push({ entry });
    if (entry.cut) open.push({ nodeId: entry.nodeId, depth: entry.depth, cut: entry.cut });
  }
  items.push(...open.reverse());
  if (result.startCut) items.push({ nodeId: '', depth: 0, cut: result.startCut });
  return items;
}

/** What a node cut short left out, and the command that lists it: `--browse '<its id>'`, or for the start a higher `--limit`. */
function cutText(node: CutNode, result: BrowseResult, emit: string): string {
  const { listed, notListed, atLeast } = node.cut;
  const children = listed + notListed;
  const left = `${atLeast ? 'more than ' : ''}${notListed} more not listed (${listed} of ${atLeast ? 'more than ' : ''}${children} shown)`;
  if (node.nodeId === '') return `${left}: a higher --limit lists them`;
  const limit = children > DEFAULT_BROWSE_NODES ? ` --limit ${Math.min(MAX_BROWSE_NODES, children)}` : '';
  return `${left}: --browse ${shellWord(node.nodeId)}${limit}${emit} lists this one alone`;
}

/** Where the node limit stopped the walk, and the option that lists more. */
function truncatedText(result: BrowseResult): string {
  const more = result.maxNodes < MAX_BROWSE_NODES ? `--limit ${Math.min(MAX_BROWSE_NODES, result.maxNodes * 10)} lists more (at most ${MAX_BROWSE_NODES})` : `at most ${MAX_BROWSE_NODES} are listed`;
  const cut = result.entries.filter((e) => e.cut).length + (result.startCut ? 1 : 0);
  const cutSaid = cut > 0 ? `; the ${cut} node${cut === 1 ? '' : 's'} cut short say${cut === 1 ? 's' : ''} below ${cut === 1 ? 'its' : 'their'} last child what was left out and how to list it` : '';
  const unbrowsed = result.notLookedInto > 0 ? `; ${result.notLookedInto} object${result.notLookedInto === 1 ? '' : 's'} listed last not looked into` : '';
  return `stopped at ${result.entries.length} nodes (--limit ${result.maxNodes}): each level is listed before the next, shared evenly between its nodes${cutSaid}${unbrowsed}; ${more}`;
}

/** What the walk left unlisted at its depth limit, and the option that lists it. */
function unfollowedText(result: BrowseResult): string {
  const n = result.unfollowed;
  const more = result.depth < 10 ? `: --depth ${result.depth + 1} lists what is below ${n === 1 ? 'it' : 'them'}` : ': browse one of them to list what is below it';
  return `${n} object${n === 1 ? '' : 's'} at depth ${result.depth} not looked into${more}`;
}

/**
 * The readable variables of a browse as `nodes:` entries of an `opcua:` mapping, ready to
 * paste: a metric name from the browse path below the start, after the start's own name (made unique), the node id with its
 * namespace URI (so the entry survives a namespace reordering), and the data type as a comment.
 * Variables that exist for one session only (`perSession`: the session and subscription
 * diagnostics) are left out, counted in a comment; so is a walk the node limit cut short, with a
 * comment after the entries of each node cut short saying what it left out (as the listing does). Strings
 * are written as YAML scalars quoted only where YAML needs it (`flowYaml`), so a node id reads as
 * UaExpert shows it: `nsu=...;s="DB_Line"."Temp"`. Pure.
 */
export function formatBrowseMapping(result: BrowseResult, options: MappingFormatOptions = {}): string {
  const lines = ['nodes:'];
  const used = new Map<string, number>();
  // Named from the node browsed down, so two folders browsed apart give no one name twice.
  const prefix = options.metricPrefix ?? (result.startName === undefined ? '' : `${metricNameFromPath([result.startName])}.`);
  let count = 0;
  let perSession = 0;
  for (const item of listing(result)) {
    if ('cut' in item) {
      lines.push(`  # ${oneLine(`${item.nodeId === '' ? result.start : item.nodeId}: ${cutText(item, result, ' --emit-mapping')}`)}`);
      continue;
    }
    const { entry } = item;
    if (entry.nodeClass !== 'Variable' || (entry.access && !entry.access.includes('read'))) continue;
    // Gone with the session that browsed: pasted, the next run's would be BadNodeIdUnknown.
    if (entry.perSession) {
      perSession++;
      continue;
    }
    const base = `${prefix}${metricNameFromPath(entry.path)}`.slice(0, 256);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    const metric = seen === 0 ? base : `${base.slice(0, 250)}_${seen + 1}`;
    const comment = [entry.dataType, entry.access?.join('+')].filter(Boolean).join(', ');
    lines.push(`  - metric: ${flowYaml(metric)}${comment ? `  # ${oneLine(comment)}` : ''}`);
    lines.push(`    node_id: ${flowYaml(entry.nodeId)}`);
    count++;
  }
  if (count === 0) lines.push('  []');
  const head = [`# ${count} readable variable${count === 1 ? '' : 's'} of the ${result.entries.length} nodes below ${oneLine(result.start)}; edit the metric names as you like`];
  if (perSession > 0) {
    head.push(`# ${perSession} variable${perSession === 1 ? '' : 's'} left out: diagnostics of one client session or subscription (this browse's own among them), gone when it ends (BadNodeIdUnknown on the next run)`);
  }
  if (result.truncated) head.push(`# ${truncatedText(result)}`);
  if (result.unfollowed > 0) head.push(`# ${unfollowedText(result)}`);
  return `${[...head, ...lines].join('\n')}\n`;
}
