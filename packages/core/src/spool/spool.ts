import type { Batch } from '../shared/batch.js';

/** What a full spool does with the next batch. */
export type WhenFull = 'drop_oldest' | 'drop_newest' | 'block';

/** Why a spool let go of a batch without delivering it. */
export type SpoolDropReason = 'buffer_full' | 'expired';

/** A batch the spool dropped, and why (its content is gone; what it was is kept). */
export interface DroppedBatch {
  id: string;
  /** Points it held. */
  count: number;
  reason: SpoolDropReason;
}

/**
 * The answer to {@link Spool.append}. `accepted: false` happens under `drop_newest` (the
 * batch is in `dropped`) and under `block` (nothing is dropped: the caller keeps the batch and
 * offers it again when room frees up).
 */
export interface AppendResult {
  accepted: boolean;
  dropped: DroppedBatch[];
}

/** A snapshot of what the spool holds. */
export interface SpoolStats {
  batches: number;
  points: number;
  /** Bytes counted against `maxBytes` (the batches' `bytes`: their encoded size plus overhead). */
  bytes: number;
  /** `createdAtMs` of the oldest batch held; absent while the spool is empty. */
  oldestCreatedAtMs?: number;
}

/**
 * The queue between the batcher and the transport. A batch stays in the spool from
 * `append` until `ack`: a lease only marks it as being sent. Batches come out oldest first.
 * Implementations: memory (lost with the process) and SQLite on disk (survives a crash).
 * Every implementation runs the shared conformance suite in `@fieldbridge/core/testing`.
 */
export interface Spool {
  /** `memory` loses its content with the process; `disk` keeps it across restarts. */
  readonly kind: 'memory' | 'disk';
  /** Adds a sealed batch at the tail, applying the capacity policy. */
  append(batch: Batch): AppendResult;
  /**
   * Up to `max` of the oldest batches not already leased, marked as leased. A leased batch's
   * `data` is the spool's until its `ack` or `replace`: read it before, never after (the memory
   * spool reuses that memory).
   */
  lease(max: number): Batch[];
  /** Gives a leased batch back (it will be leased again, in its old position). */
  release(id: string): void;
  /** Removes a batch for good: it was delivered, or dead-lettered. */
  ack(id: string): void;
  /** Replaces a batch by parts cut from it, in its position; the parts are not leased. */
  replace(id: string, parts: Batch[]): void;
  /** Drops unleased batches sealed before `nowMs - maxAgeMs`; returns them. */
  expire(nowMs: number): DroppedBatch[];
  /** What the spool holds now. */
  stats(): SpoolStats;
  /**
   * Gives up on storage that keeps failing (a file SQLite reports corrupt, an I/O error): a disk
   * spool moves its file aside, as at start, and starts empty; returns what it held (now kept
   * only in the moved file). Optional: the memory spool cannot fail this way.
   */
  recover?(reason: string): SpoolStats;
  /**
   * Acknowledgements a full disk had no room for, kept in memory until it has (their batches are
   * no longer held, but a crash meanwhile sends them again). Optional: 0 when absent.
   */
  unwrittenAcks?(): number;
  /** Releases files and locks. Idempotent. Content stays on disk for a `disk` spool. */
  close(): void;
}

/** Capacity policy shared by every spool implementation. */
export interface SpoolLimits {
  /** Most bytes held (sum of batch `bytes`). Default 256 MiB. */
  maxBytes: number;
  /** Policy when an append would pass `maxBytes`. Default `drop_oldest`. */
  whenFull: WhenFull;
  /** Batches older than this are dropped by `expire()`. Default: never. */
  maxAgeMs?: number;
}
