import { randomBytes } from 'node:crypto';
import type { Point } from '../point/point.js';

/**
 * A sealed group of points that travels as one request or frame. `id` is stable for the
 * batch's whole life (every retry reuses it as `x-batch-id` / `trace_id`), so receivers can
 * drop duplicates.
 */
export interface Batch {
  id: string;
  points: Point[];
  /** Size of the points' JSON encoding, in bytes (an estimate of the body before gzip). */
  bytes: number;
  /** Wall-clock time the batch was sealed, in ms since the epoch. */
  createdAtMs: number;
  /**
   * The JSON array of `points`, when already encoded (by the batcher, or read from a disk
   * spool), so it is encoded once on its way to the wire. A cache, not data: set it with
   * {@link withJson}, which keeps it out of equality checks, spreads and serialisation.
   */
  readonly json?: string;
  /**
   * Points whose timestamp the sink stamped before its clock had a server sample, in the local
   * clock's terms. They are resolved to server time just before sending, once the clock is
   * synced; absent when there are none.
   */
  unsynced?: UnsyncedStamps;
}

/** Which points of a batch carry provisional (local-clock) timestamps, and who stamped them. */
export interface UnsyncedStamps {
  /** The sink run that stamped them: only that run's clock offset applies to them. */
  run: string;
  /** Indices into the batch's `points`, ascending. */
  indices: number[];
}

/** Attaches the encoded points to a batch as a hidden cache; returns the batch. */
export function withJson<B extends Batch>(batch: B, json: string): B {
  Object.defineProperty(batch, 'json', { value: json, enumerable: false });
  return batch;
}

/** The JSON array of a batch's points, encoding it only when not already done. */
export function pointsJson(batch: Batch): string {
  return batch.json ?? JSON.stringify(batch.points);
}

/** A fresh, sortable batch id: sealing time in base 36 plus 8 random bytes. */
export function newBatchId(nowMs: number): string {
  return `${Math.floor(nowMs).toString(36)}-${randomBytes(8).toString('hex')}`;
}

/** Bytes one point adds to a JSON array body (its encoding plus a separator). */
export function pointBytes(point: Point): number {
  return Buffer.byteLength(JSON.stringify(point)) + 1;
}

/** Bytes of an already encoded point plus its separator. */
export function encodedBytes(json: string): number {
  return Buffer.byteLength(json) + 1;
}

/**
 * Derive the batches that replace `batch` when it must be cut: each part keeps the order of
 * its points and gets an id derived from the parent's, so a retry of a part is still
 * recognisable as the same data.
 */
export function deriveBatch(parent: Batch, points: Point[], suffix: string): Batch {
  let bytes = 0;
  for (const p of points) bytes += pointBytes(p);
  return { id: `${parent.id}.${suffix}`, points, bytes, createdAtMs: parent.createdAtMs };
}
