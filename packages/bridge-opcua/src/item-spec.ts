import { parseBrowsePath, type BrowseStep } from './browse-path.js';
import { OpcuaBridgeError } from './errors.js';
import { parseNodeRef, type NodeRef } from './node-ref.js';
import type { TimestampMode } from './records.js';

/** A server-side deadband (Part 4, 7.22.2): changes smaller than `value` are not reported. */
export interface Deadband {
  /** `absolute`: in the variable's units; `percent`: of its EURange (AnalogItem variables only). */
  type: 'absolute' | 'percent';
  value: number;
}

/** What to sample and how, shared by variables and folders. */
export interface SamplingSpec {
  /** How often the server samples, in ms. Default: the publishing interval. */
  samplingIntervalMs?: number;
  /** Values the server keeps per item between publishes (oldest discarded first). Default 10. */
  queueSize?: number;
  deadband?: Deadband;
  /** Default `source`. */
  timestamps?: TimestampMode;
}

/** Where a node is: a node id (`ns=2;s=...`, `nsu=<uri>;s=...`) or a browse path below Objects. */
export interface NodeLocation {
  nodeId?: string;
  browsePath?: string;
}

/** One variable to monitor. */
export interface VariableSpec extends SamplingSpec, NodeLocation {
  /** The caller's name for it: records and problems carry it. */
  key: string;
}

/** Every variable below a node (objects and folders followed), each monitored. */
export interface FolderSpec extends SamplingSpec, NodeLocation {
  key: string;
  /** Levels below the node to follow. Default 5, at most 16. */
  maxDepth?: number;
  /** Most variables taken from this folder. Default 1000, at most 50000. */
  maxItems?: number;
  /**
   * How often the folder is browsed again while subscribed, in ms, to monitor the variables added
   * below it and drop those gone; also at once when the server reports a model change. 0: only
   * when subscribing. Default 300000 (5 min).
   */
  rescanMs?: number;
}

/** An event notifier to monitor. */
export interface EventSpec extends NodeLocation {
  key: string;
  /** Event fields, as browse names or dot paths (`ActiveState.Id`). Default {@link DEFAULT_EVENT_FIELDS}. */
  fields?: readonly string[];
  /** Only events with at least this Severity (1-1000), filtered by the server. */
  minSeverity?: number;
  /** Events the server keeps between publishes. Default 1000. */
  queueSize?: number;
  /** `source` (the event's Time, default) or `local`. */
  timestamps?: TimestampMode;
}

/** A location parsed: a node reference, or a browse path to resolve on the server. */
export type Location = { kind: 'node'; ref: NodeRef; text: string } | { kind: 'path'; steps: BrowseStep[]; text: string };

/** The notifier events come from when none is named: the Server object (i=2253). */
export const SERVER_OBJECT = 'i=2253';

/** Limits of the specs. */
export const SPEC_LIMITS = {
  minSamplingIntervalMs: 0,
  maxSamplingIntervalMs: 86_400_000,
  maxQueueSize: 10_000,
  maxFolderDepth: 16,
  maxFolderItems: 50_000,
  /** Fields an event monitor selects, with Time and BranchId (see MAX_EVENT_SELECTS). */
  maxEventFields: 65,
} as const;

/**
 * Parses the location of a spec named `what`: exactly one of `nodeId` and `browsePath`, or
 * `fallback` when neither is given. Throws `NODE_INVALID` naming the spec.
 */
export function parseLocation(spec: NodeLocation, what: string, fallback?: string): Location {
  if (spec.nodeId !== undefined && spec.browsePath !== undefined) {
    throw new OpcuaBridgeError('NODE_INVALID', `${what}: give either node_id or browse_path, not both`, { retryable: false });
  }
  const nodeId = spec.nodeId ?? (spec.browsePath === undefined ? fallback : undefined);
  if (nodeId !== undefined) {
    const parsed = parseNodeRef(nodeId);
    if (!parsed.ok) throw new OpcuaBridgeError('NODE_INVALID', `${what}: ${parsed.message}`, { retryable: false });
    return { kind: 'node', ref: parsed.ref, text: nodeId };
  }
  if (spec.browsePath === undefined) throw new OpcuaBridgeError('NODE_INVALID', `${what}: give node_id or browse_path`, { retryable: false });
  const parsed = parseBrowsePath(spec.browsePath);
  if (!parsed.ok) throw new OpcuaBridgeError('NODE_INVALID', `${what}: ${parsed.message}`, { retryable: false });
  return { kind: 'path', steps: parsed.steps, text: spec.browsePath };
}

/** Throws the `NODE_INVALID` error for spec `what`. */
export function invalidSpec(what: string, message: string): never {
  throw new OpcuaBridgeError('NODE_INVALID', `${what}: ${message}`, { retryable: false });
}

/** Checks the sampling settings of a spec named `what`; throws `NODE_INVALID` naming the setting. */
export function checkSampling(spec: SamplingSpec, what: string): void {
  const bad = (message: string): never => invalidSpec(what, message);
  const interval = spec.samplingIntervalMs;
  if (interval !== undefined && !(interval >= SPEC_LIMITS.minSamplingIntervalMs && interval <= SPEC_LIMITS.maxSamplingIntervalMs)) {
    bad(`sampling interval ${interval} ms is outside 0..${SPEC_LIMITS.maxSamplingIntervalMs}`);
  }
  if (spec.queueSize !== undefined && !(Number.isInteger(spec.queueSize) && spec.queueSize >= 1 && spec.queueSize <= SPEC_LIMITS.maxQueueSize)) {
    bad(`queue size ${spec.queueSize} is outside 1..${SPEC_LIMITS.maxQueueSize}`);
  }
  if (spec.deadband) {
    const { type, value } = spec.deadband;
    if (type !== 'absolute' && type !== 'percent') bad(`deadband type "${String(type)}" is not absolute or percent`);
    if (!(Number.isFinite(value) && value >= 0)) bad(`deadband ${value} is not a number >= 0`);
    if (type === 'percent' && value > 100) bad(`a percent deadband of ${value} is above 100`);
  }
}
