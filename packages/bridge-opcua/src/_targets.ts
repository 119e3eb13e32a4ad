import type { ClientMonitoredItemBase } from 'node-opcua';
import { folderCutText } from './_folder-cut-text.js';
import { folderDepthText, perSessionLeftOutText, serverLeftOutText } from './_folder-depth-text.js';
import type { FolderExpansion } from './_folder-walk.js';
import { planEventSelects, type EventSelect } from './event-fields.js';
import {
  checkSampling,
  invalidSpec,
  parseLocation,
  SERVER_OBJECT,
  SPEC_LIMITS,
  type Deadband,
  type EventSpec,
  type FolderSpec,
  type Location,
  type SamplingSpec,
  type VariableSpec,
} from './item-spec.js';
import type { Lane } from './_monitor.js';
import type { Registered } from './notifications.js';
import type { TimestampMode } from './records.js';
import type { TargetState } from './subscription-types.js';
import type { FolderVariable, NodeResolver, ResolvedNode } from './resolve-nodes.js';

/** One variable or event notifier to monitor, from a spec or found below a folder. */
export interface Target {
  kind: 'value' | 'event';
  key: string;
  /** How the mapping named it: the node id or browse path, or `<folder>/<path>` for a folder's variable. */
  label: string;
  location: Location;
  samplingIntervalMs: number;
  queueSize: number;
  deadband?: Deadband;
  timestamps: TimestampMode;
  browsePath?: string[];
  selects?: EventSelect[];
  minSeverity?: number;
  resolved?: ResolvedNode;
  registered?: Registered;
  state: TargetState;
  /** Why it is refused or unresolved. */
  message?: string;
  /** node-opcua's monitored item while active. */
  monitored?: ClientMonitoredItemBase;
  /** The subscription its item is on, while active. */
  lane?: Lane;
}

/** A folder whose node is not found yet: tried again with the refused items. */
export interface PendingFolder {
  spec: FolderSpec;
  location: Location;
  message?: string;
}

/** Defaults of the specs. */
export const ITEM_DEFAULTS = { queueSize: 10, eventQueueSize: 1000, folderDepth: 5, folderItems: 1000, folderRescanMs: 300_000, timestamps: 'source' as TimestampMode };

function sampling(spec: SamplingSpec, publishingIntervalMs: number): Pick<Target, 'samplingIntervalMs' | 'queueSize' | 'deadband' | 'timestamps'> {
  return {
    samplingIntervalMs: spec.samplingIntervalMs ?? publishingIntervalMs,
    queueSize: spec.queueSize ?? ITEM_DEFAULTS.queueSize,
    ...(spec.deadband ? { deadband: spec.deadband } : {}),
    timestamps: spec.timestamps ?? ITEM_DEFAULTS.timestamps,
  };
}

/** Checks every spec and gives its target (or pending folder). Throws `NODE_INVALID` for a malformed one. Pure. */
export function planTargets(
  specs: { variables?: readonly VariableSpec[]; folders?: readonly FolderSpec[]; events?: readonly EventSpec[] },
  publishingIntervalMs: number,
): { targets: Target[]; folders: PendingFolder[] } {
  const targets: Target[] = [];
  for (const [i, spec] of (specs.variables ?? []).entries()) {
    const what = `variable ${i + 1} (${spec.key})`;
    checkSampling(spec, what);
    const location = parseLocation(spec, what);
    targets.push({ kind: 'value', key: spec.key, label: location.text, location, ...sampling(spec, publishingIntervalMs), state: 'pending' });
  }
  for (const [i, spec] of (specs.events ?? []).entries()) {
    const what = `event ${i + 1} (${spec.key})`;
    const location = parseLocation(spec, what, SERVER_OBJECT);
    if (spec.minSeverity !== undefined && !(Number.isInteger(spec.minSeverity) && spec.minSeverity >= 1 && spec.minSeverity <= 1000)) {
      invalidSpec(what, `min severity ${spec.minSeverity} is outside 1..1000`);
    }
    checkSampling({ ...(spec.queueSize === undefined ? {} : { queueSize: spec.queueSize }) }, what);
    targets.push({
      kind: 'event',
      key: spec.key,
      label: location.text,
      location,
      samplingIntervalMs: 0,
      queueSize: spec.queueSize ?? ITEM_DEFAULTS.eventQueueSize,
      timestamps: spec.timestamps ?? 'source',
      selects: planEventSelects(spec.fields, what),
      ...(spec.minSeverity === undefined ? {} : { minSeverity: spec.minSeverity }),
      state: 'pending',
    });
  }
  const folders: PendingFolder[] = [];
  for (const [i, spec] of (specs.folders ?? []).entries()) {
    const what = `folder ${i + 1} (${spec.key})`;
    checkSampling(spec, what);
    const depth = spec.maxDepth ?? ITEM_DEFAULTS.folderDepth;
    const items = spec.maxItems ?? ITEM_DEFAULTS.folderItems;
    if (!(Number.isInteger(depth) && depth >= 1 && depth <= SPEC_LIMITS.maxFolderDepth)) invalidSpec(what, `max depth ${depth} is outside 1..${SPEC_LIMITS.maxFolderDepth}`);
    if (!(Number.isInteger(items) && items >= 1 && items <= SPEC_LIMITS.maxFolderItems)) invalidSpec(what, `max items ${items} is outside 1..${SPEC_LIMITS.maxFolderItems}`);
    const rescan = spec.rescanMs ?? ITEM_DEFAULTS.folderRescanMs;
    if (!(rescan === 0 || (rescan >= 100 && rescan <= 86_400_000))) invalidSpec(what, `rescan every ${rescan} ms is outside 100..86400000 (0: never)`);
    folders.push({ spec, location: parseLocation(spec, what) });
  }
  return { targets, folders };
}

/** Sets what a resolved target's records carry. */
function register(target: Target, node: ResolvedNode): void {
  target.resolved = node;
  if (target.kind === 'value') {
    target.registered = {
      kind: 'value',
      item: { key: target.key, nodeId: node.text, ...(target.browsePath ? { browsePath: target.browsePath } : {}), timestamps: target.timestamps },
    };
  } else {
    const fields = target.selects!.map((s) => s.field);
    target.registered = { kind: 'event', item: { key: target.key, notifier: node.text, fields, timeIndex: fields.indexOf('Time'), timestamps: target.timestamps } };
  }
}

/**
 * Resolves each target's location; one that cannot be found becomes `unresolved` with the reason,
 * and so does an event target whose node `notifierProblem` says reports no events.
 */
export async function resolveTargets(resolver: NodeResolver, targets: readonly Target[], notifierProblem?: (node: ResolvedNode) => Promise<string | undefined>): Promise<void> {
  for (const target of targets) {
    const found = await resolver.resolve(target.location);
    const silent = found.ok && target.kind === 'event' && notifierProblem ? await notifierProblem(found.node) : undefined;
    if (silent !== undefined) {
      target.state = 'unresolved';
      target.message = silent;
    } else if (found.ok) {
      register(target, found.node);
      target.state = 'pending';
      delete target.message;
    } else {
      target.state = 'unresolved';
      target.message = found.message;
    }
  }
}

/** Finds the variables below a folder within its bounds (`walkFolder` on a session). */
export type FolderWalker = (folder: ResolvedNode, maxDepth: number, maxItems: number) => Promise<FolderExpansion>;

/** A folder found and walked: its variables' targets, kept in step with the server by rescans. */
export interface ExpandedFolder {
  spec: FolderSpec;
  location: Location;
  /** The folder's node as last found. */
  node: ResolvedNode;
  /** One per variable taken, in the walk's order; each is also in the subscription's targets. */
  targets: Target[];
  /** What the last walk left out (`folder_truncated`), if anything. */
  cut?: string;
}

/** What one walk of a found folder gave: its variables and what it left out, or the server's refusal. */
/** `refusedBelow`: nodes below the folder the server refused to browse (what is below them is unknown). */
export type FolderWalkResult = { refused: string } | { variables: FolderVariable[]; cut?: string; note?: string; refusedBelow: number };

/** Walks `folder` (found at `node`) within its bounds and words what the walk left out. */
export async function walkFound(walk: FolderWalker, folder: { spec: FolderSpec; location: Location }, node: ResolvedNode): Promise<FolderWalkResult> {
  const maxItems = folder.spec.maxItems ?? ITEM_DEFAULTS.folderItems;
  const maxDepth = folder.spec.maxDepth ?? ITEM_DEFAULTS.folderDepth;
  const expanded = await walk(node, maxDepth, maxItems);
  if (expanded.refused) return { refused: expanded.refused };
  const cuts = [folderCutText(folder.spec.key, folder.location.text, maxItems, expanded), folderDepthText(folder.spec.key, folder.location.text, maxDepth, expanded)];
  const cut = cuts.filter((c) => c !== undefined).join('. ');
  const notes = [
    expanded.serverLeftOut && serverLeftOutText(folder.spec.key, folder.location.text, expanded.serverLeftOut.path),
    expanded.perSessionLeftOut && perSessionLeftOutText(folder.spec.key, folder.location.text, expanded.perSessionLeftOut.paths),
  ];
  const note = notes.filter((n) => n !== undefined).join('. ');
  return {
    variables: expanded.variables,
    refusedBelow: expanded.refusedBelow,
    ...(cut === '' ? {} : { cut }),
    ...(note === '' ? {} : { note }),
  };
}

/** The target of a variable found below `folder`: the folder's key and sampling, the browse path from the folder. */
export function folderVariableTarget(folder: { spec: FolderSpec; location: Location }, variable: FolderVariable, publishingIntervalMs: number): Target {
  const target: Target = {
    kind: 'value',
    key: folder.spec.key,
    label: `${folder.location.text}/${variable.browsePath.join('/')}`,
    location: { kind: 'node', ref: variable.ref, text: variable.text },
    ...sampling(folder.spec, publishingIntervalMs),
    browsePath: variable.browsePath,
    state: 'pending',
  };
  register(target, variable);
  return target;
}

/**
 * Expands the folders that can be found into one target per variable below them (the folder's
 * key, the browse path from the folder), in the order `walk` gives; the others stay pending with
 * the reason. A folder cut short by `max_items`, or by `max_depth` at objects with more below
 * them, is in `truncated`, by its key, with what it left out and how to take it; a folder whose
 * walk left out the Server object is in `notes`, saying how to include it. Each folder expanded
 * is in `folders` with its targets, for the rescans.
 */
export async function expandFolders(
  resolver: NodeResolver,
  walk: FolderWalker,
  folders: readonly PendingFolder[],
  publishingIntervalMs: number,
): Promise<{ targets: Target[]; pending: PendingFolder[]; folders: ExpandedFolder[]; truncated: { key: string; message: string }[]; notes: { key: string; message: string }[] }> {
  const targets: Target[] = [];
  const pending: PendingFolder[] = [];
  const expandedFolders: ExpandedFolder[] = [];
  const truncated: { key: string; message: string }[] = [];
  const notes: { key: string; message: string }[] = [];
  for (const folder of folders) {
    const found = await resolver.resolve(folder.location);
    if (!found.ok) {
      pending.push({ ...folder, message: found.message });
      continue;
    }
    const walked = await walkFound(walk, folder, found.node);
    if ('refused' in walked) {
      pending.push({ ...folder, message: `folder ${folder.location.text}: the server refused to browse it (${walked.refused})` });
      continue;
    }
    if (walked.cut !== undefined) truncated.push({ key: folder.spec.key, message: walked.cut });
    if (walked.note !== undefined) notes.push({ key: folder.spec.key, message: walked.note });
    const own = walked.variables.map((variable) => folderVariableTarget(folder, variable, publishingIntervalMs));
    targets.push(...own);
    expandedFolders.push({ spec: folder.spec, location: folder.location, node: found.node, targets: own, ...(walked.cut === undefined ? {} : { cut: walked.cut }) });
  }
  return { targets, pending, folders: expandedFolders, truncated, notes };
}
