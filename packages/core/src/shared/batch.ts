import { randomFillSync } from 'node:crypto';

/**
 * How a batch's points are held. `gzip-body` is what the sink seals now: the HTTP body as it
 * goes on the wire (`{"source_id":…,"points":[…]}`, gzip-compressed), so the spool stores, and
 * HTTP sends, exactly those bytes. `json-body` is the same body uncompressed (`sink.gzip: false`).
 * `json-points` is the JSON text of the points array, as spools of fieldbridge 0.1 stored it.
 */
export type BatchEncoding = 'gzip-body' | 'json-body' | 'json-points';

/**
 * A sealed group of points that travels as one request or frame. `id` is stable for the
 * batch's whole life (every retry reuses it as `x-batch-id` / `trace_id`), so receivers can
 * drop duplicates. The points are held encoded (see {@link BatchEncoding}); the paths that need
 * them as objects (a 400 isolating one point, a WebSocket frame, stdout) decode them with
 * `batchPoints`.
 */
export interface Batch {
  readonly id: string;
  /** Points it holds. */
  readonly count: number;
  /** Bytes it takes in a spool: its encoded data plus {@link BATCH_OVERHEAD_BYTES}. What `buffer.max_bytes` counts. */
  readonly bytes: number;
  /** Wall-clock time the batch was sealed, in ms since the epoch. */
  readonly createdAtMs: number;
  readonly encoding: BatchEncoding;
  /** The encoded points. */
  readonly data: Buffer | string;
  /** Size of the JSON body before compression, when known (sealed by this fieldbridge). */
  readonly rawBytes?: number;
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
  /** Indices into the batch's points, ascending. */
  indices: number[];
}

/**
 * What a held batch costs beyond its data, counted against `buffer.max_bytes`: in the memory
 * spool its record, list node and index entries plus the sink's place for it in `flush()`'s line
 * (about 360 bytes of heap measured on Node 20, held under this by a test); in the SQLite spool
 * its row and index entries, which this overstates.
 */
export const BATCH_OVERHEAD_BYTES = 512;

/** Random bytes drawn 4 KiB at a time: one call into the system's generator per 512 ids, not one per id. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** A fresh, sortable batch id: sealing time in base 36 plus 8 random bytes. */
export function newBatchId(nowMs: number): string {
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 8;
  // Joined, not concatenated: a concatenation of 13 or more characters is a tree of three strings
  // that a Map key keeps alive, about 40 bytes more for each of a full spool's 30,000 batches.
  return [Math.floor(nowMs).toString(36), pool.toString('hex', poolAt - 8, poolAt)].join('-');
}
