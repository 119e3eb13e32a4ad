import type { SparkplugPayload } from './sparkplug-codec.js';

/** What an edge node or device is known by, from its latest birth certificate. */
export interface SparkplugScope {
  /** alias (decimal) -> name and datatype, from the latest birth. */
  aliases: Map<string, { name: string; datatype: number | undefined }>;
  /** name -> datatype, for DATA metrics that omit theirs. */
  types: Map<string, number>;
  /** Names the birth flagged `is_transient`: their DATA, which carries only the alias, is transient too. */
  transient: Set<string>;
  online: boolean;
  /**
   * A death (NDEATH, or DDEATH for a device) came after its last birth: that birth is void, and
   * its DATA is not read until it is born again.
   */
  died: boolean;
  /** Estimated bytes its tables hold. */
  bytes: number;
}

/** An edge node's scope: its own metrics, its birth's `bdSeq`, and its devices. */
export interface SparkplugNodeScope extends SparkplugScope {
  bdSeq: string | undefined;
  /** The `seq` of the node's last message heard (see {@link seqOf}); undefined before any. */
  seq: number | undefined;
  /**
   * The seqs its last gap skipped (`count` of them from `from`, wrapping at 256): one arriving late,
   * within the `left` messages that follow, is no new gap. Forgotten after those, long before the
   * seq comes round to them again.
   */
  skipped: { from: number; count: number; left: number } | undefined;
  devices: Map<string, SparkplugScope>;
}

/** Bounds of {@link SparkplugState}: edge nodes, and estimated bytes of every table together. */
export interface SparkplugLimits {
  maxNodes: number;
  maxBytes: number;
}

/** The default bounds: 10,000 edge nodes, 64 MiB of tables. */
export const SPARKPLUG_LIMITS: Readonly<SparkplugLimits> = { maxNodes: 10_000, maxBytes: 64 * 1024 * 1024 };

/** Rough heap cost of a scope or table entry besides its strings, counted at two bytes a character. */
const SCOPE_BYTES = 400;
const ENTRY_BYTES = 120;

const scope = (name: string): SparkplugScope => ({ aliases: new Map(), types: new Map(), transient: new Set(), online: false, died: false, bytes: SCOPE_BYTES + 2 * name.length });

/**
 * What Sparkplug decoding remembers between messages: per edge node (and per device) the
 * aliases and datatypes of its latest birth certificate, its `bdSeq`, whether it is online, and
 * whether a death voided that birth.
 * An NBIRTH replaces the node's tables and forgets its devices; a DBIRTH replaces the device's.
 * Bounded, because node ids and metric names come from the peer: past `maxNodes` nodes or
 * `maxBytes` of tables the least recently heard node is forgotten (counted in `evictions`; it
 * needs a rebirth), and a birth larger than the whole budget is learnt only in part.
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
    this.nodes.delete(key);
    if (!node || reset) {
      this.held -= node?.bytes ?? 0;
      node = { ...scope(key), bdSeq: undefined, seq: undefined, skipped: undefined, devices: new Map() };
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
    const fresh = scope(device);
    if (!this.grow(node, fresh.bytes - (known?.bytes ?? 0))) return fresh;
    node.devices.set(device, fresh);
    return fresh;
  }

  /** Records a birth certificate's aliases and datatypes into `into` (the node or one of its devices); false when the limits stopped it part way. */
  learn(node: SparkplugNodeScope, into: SparkplugScope, payload: SparkplugPayload): boolean {
    for (const { name, alias, datatype, isTransient } of payload.metrics ?? []) {
      if (name === undefined) continue;
      const typed = datatype !== undefined && !into.types.has(name);
      const aliased = alias !== undefined && !into.aliases.has(alias);
      const transient = isTransient === true && !into.transient.has(name);
      const cost = (typed ? ENTRY_BYTES + 2 * name.length : 0) + (aliased ? ENTRY_BYTES + 2 * (name.length + alias.length) : 0) + (transient ? ENTRY_BYTES + 2 * name.length : 0);
      if (!this.grow(node, cost)) return false;
      if (typed) into.types.set(name, datatype);
      if (aliased) into.aliases.set(alias, { name, datatype });
      if (transient) into.transient.add(name);
      if (into !== node) into.bytes += cost;
    }
    return true;
  }

  /** Accounts `bytes` more to `node`, forgetting other nodes to make room; false (nothing accounted) when that is not enough. */
  private grow(node: SparkplugNodeScope, bytes: number): boolean {
    while (bytes > 0 && this.held + bytes > this.limits.maxBytes) if (!this.evictOldest(node)) return false;
    node.bytes += bytes;
    this.held += bytes;
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
