import type { SparkplugPayload } from './sparkplug-codec.js';

/** What an edge node or device is known by, from its latest birth certificate. */
export interface SparkplugScope {
  /** alias (decimal) -> name and datatype, from the latest birth. */
  aliases: Map<string, { name: string; datatype: number | undefined }>;
  /** name -> datatype, for DATA metrics that omit theirs. */
  types: Map<string, number>;
  online: boolean;
}

/** An edge node's scope: its own metrics, its birth's `bdSeq`, its devices, and what it all costs. */
export interface SparkplugNodeScope extends SparkplugScope {
  bdSeq: string | undefined;
  devices: Map<string, SparkplugScope>;
  /** Estimated bytes held for this node, its devices and their tables. */
  bytes: number;
}

/** Bounds of {@link SparkplugState}. */
export interface SparkplugLimits {
  /** Edge nodes remembered at most; past it the least recently heard is forgotten. */
  maxNodes: number;
  /** Estimated bytes of every table together; past it the least recently heard nodes are forgotten. */
  maxBytes: number;
}

/** The default bounds: 10,000 edge nodes, 64 MiB of tables. */
export const SPARKPLUG_LIMITS: Readonly<SparkplugLimits> = { maxNodes: 10_000, maxBytes: 64 * 1024 * 1024 };

/** Rough heap cost of a map entry or scope besides its strings (two bytes a character, to be safe). */
const ENTRY_BYTES = 120;
const SCOPE_BYTES = 400;
const text = (s: string): number => 2 * s.length;

const emptyScope = (): SparkplugScope => ({ aliases: new Map(), types: new Map(), online: false });

/**
 * What Sparkplug decoding remembers between messages: per edge node (and per device) the
 * aliases and datatypes of its latest birth certificate, its `bdSeq`, and whether it is online.
 * An NBIRTH replaces the node's tables and forgets its devices; a DBIRTH replaces the device's.
 * Bounded, because every node id and metric name comes from the peer: past `maxNodes` nodes or
 * `maxBytes` of tables the least recently heard node is forgotten (counted in {@link evictions};
 * its aliases need a rebirth), and a birth larger than the whole budget is learnt only in part.
 */
export class SparkplugState {
  private readonly nodes = new Map<string, SparkplugNodeScope>();
  private held = 0;
  private evicted = 0;

  constructor(private readonly limits: SparkplugLimits = SPARKPLUG_LIMITS) {}

  /** Number of edge nodes with a table. */
  get size(): number {
    return this.nodes.size;
  }

  /** Estimated bytes held by every table. */
  get bytes(): number {
    return this.held;
  }

  /** Edge nodes forgotten so far to stay within the limits. */
  get evictions(): number {
    return this.evicted;
  }

  /** The node's scope (now the most recently heard), created empty when unknown or `reset`. */
  node(group: string, edgeNode: string, reset = false): SparkplugNodeScope {
    const key = `${group}/${edgeNode}`;
    let node = this.nodes.get(key);
    if (node) this.nodes.delete(key);
    if (!node || reset) {
      if (node) this.held -= node.bytes;
      node = { ...emptyScope(), bdSeq: undefined, devices: new Map(), bytes: SCOPE_BYTES + text(key) };
      this.held += node.bytes;
    }
    this.nodes.set(key, node);
    while (this.nodes.size > this.limits.maxNodes && this.evictOldest(node));
    return node;
  }

  /** The device's scope, created empty when unknown or `reset`; a detached empty one when there is no room. */
  device(node: SparkplugNodeScope, device: string, reset = false): SparkplugScope {
    const known = node.devices.get(device);
    if (known && !reset) return known;
    if (known) {
      this.add(node, SCOPE_BYTES - scopeBytes(known));
    } else {
      const cost = SCOPE_BYTES + text(device);
      if (!this.room(node, cost)) return emptyScope();
      this.add(node, cost);
    }
    const scope = emptyScope();
    node.devices.set(device, scope);
    return scope;
  }

  /** Records a birth certificate's aliases and datatypes; false when the limits stopped it part way. */
  learn(node: SparkplugNodeScope, scope: SparkplugScope, payload: SparkplugPayload): boolean {
    for (const metric of payload.metrics ?? []) {
      const { name, alias, datatype } = metric;
      if (name === undefined) continue;
      const typed = datatype !== undefined && !scope.types.has(name);
      const aliased = alias !== undefined && !scope.aliases.has(alias);
      const cost = (typed ? ENTRY_BYTES + text(name) : 0) + (aliased ? ENTRY_BYTES + text(name) + text(alias) : 0);
      if (cost > 0 && !this.room(node, cost)) return false;
      if (typed) scope.types.set(name, datatype);
      if (aliased) scope.aliases.set(alias, { name, datatype });
      this.add(node, cost);
    }
    return true;
  }

  private add(node: SparkplugNodeScope, bytes: number): void {
    node.bytes += bytes;
    this.held += bytes;
  }

  /** Makes room for `bytes` more by forgetting other nodes; false when even that is not enough. */
  private room(keep: SparkplugNodeScope, bytes: number): boolean {
    while (this.held + bytes > this.limits.maxBytes) if (!this.evictOldest(keep)) return false;
    return true;
  }

  private evictOldest(keep: SparkplugNodeScope): boolean {
    for (const [key, node] of this.nodes) {
      if (node === keep) continue;
      this.nodes.delete(key);
      this.held -= node.bytes;
      this.evicted += 1;
      return true;
    }
    return false;
  }
}

function scopeBytes(scope: SparkplugScope): number {
  let bytes = SCOPE_BYTES;
  for (const [alias, { name }] of scope.aliases) bytes += ENTRY_BYTES + text(name) + text(alias);
  for (const name of scope.types.keys()) bytes += ENTRY_BYTES + text(name);
  return bytes;
}
