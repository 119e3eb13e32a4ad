import { gunzipSync, gzip, gzipSync } from 'node:zlib';
import type { Point } from '../point/point.js';
import { BATCH_OVERHEAD_BYTES, type Batch, type UnsyncedStamps } from './batch.js';

/** How a sink encodes its batches. */
export interface BatchCodec {
  /** The body-level `source_id`. */
  sourceId: string;
  /** gzip level (1 fastest .. 9 smallest); undefined stores and sends the body uncompressed. */
  gzipLevel: number | undefined;
}

/** Largest decoded body a batch may expand to (a stored batch is never more than 5 MiB of JSON). */
const MAX_DECODED_BYTES = 16 * 1024 * 1024;

/** Bodies of this size or less are stored and sent uncompressed. */
const GZIP_THRESHOLD_BYTES = 1024;

const decoded = new WeakMap<Batch, Point[]>();

/** What a batch is made of before its body is encoded. */
export interface BatchFields {
  id: string;
  createdAtMs: number;
  points: readonly Point[];
  unsynced?: UnsyncedStamps;
}

/** What an HTTP body holds before its points array: `{"source_id":…,"points":`. */
export function bodyPrefix(codec: BatchCodec): string {
  return `{"source_id":${JSON.stringify(codec.sourceId)},"points":`;
}

/** Whether a body of this many bytes is stored and sent gzip-compressed. */
export function compressesBytes(bytes: number, codec: BatchCodec): boolean {
  // Bodies of 1 KiB or less go uncompressed (DESIGN section 3): gzip would only add its header.
  return codec.gzipLevel !== undefined && bytes > GZIP_THRESHOLD_BYTES;
}

/** What a sealed batch records of its points: enough to seal it without holding them. */
export interface BatchHead {
  id: string;
  createdAtMs: number;
  count: number;
  /** Bytes of the JSON body before compression. */
  rawBytes: number;
  unsynced?: UnsyncedStamps;
}

/** The batch of `head` held as `data`: its gzip body, or the JSON body itself as text. */
export function sealHead(head: BatchHead, data: Buffer | string): Batch {
  const batch: Batch = {
    id: head.id,
    count: head.count,
    bytes: (typeof data === 'string' ? Buffer.byteLength(data) : data.length) + BATCH_OVERHEAD_BYTES,
    createdAtMs: head.createdAtMs,
    encoding: typeof data === 'string' ? 'json-body' : 'gzip-body',
    data,
    rawBytes: head.rawBytes,
  };
  if (head.unsynced) batch.unsynced = head.unsynced;
  return batch;
}


/**
 * Seals points into a batch: the HTTP body is encoded once, here (JSON, then gzip), and never
 * again on the HTTP path; `bytes` is what the spool will hold.
 */
export function encodeBatch(fields: BatchFields, codec: BatchCodec): Batch {
  const json = `${bodyPrefix(codec)}${JSON.stringify(fields.points)}}`;
  const head: BatchHead = { id: fields.id, createdAtMs: fields.createdAtMs, count: fields.points.length, rawBytes: Buffer.byteLength(json) };
  if (fields.unsynced) head.unsynced = fields.unsynced;
  return sealHead(head, compressesBytes(json.length, codec) ? gzipOnThread(json, codec.gzipLevel!) : json);
}

/** gzip of a body on the calling thread, the bytes held at their own size. */
export function gzipOnThread(body: string | Buffer, level: number): Buffer {
  return exactBytes(gzipSync(body, { level }));
}

/**
 * gzip of a body on libuv's threadpool, so the event loop goes on taking points meanwhile.
 * Resolves with the compressed bytes (held at their own size).
 */
export function gzipOffThread(body: string | Buffer, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(body, { level }, (err, out) => (err ? reject(err) : resolve(exactBytes(out)))));
}

/**
 * `bytes` in memory of its own size. zlib's one-shot output is a view of its 16 KiB output
 * buffer: a batch of 8 KiB held that way would keep 16 KiB alive, and a memory spool full of
 * them twice its `max_bytes`.
 */
function exactBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}

/** The JSON text of the batch's points array. */
export function pointsArrayJson(batch: Batch): string {
  if (batch.encoding === 'json-points') return typeof batch.data === 'string' ? batch.data : batch.data.toString('utf8');
  const body = batch.encoding === 'gzip-body' ? gunzipSync(batch.data, { maxOutputLength: MAX_DECODED_BYTES }).toString('utf8') : String(batch.data);
  // The body is {"source_id":"<id>","points":[...]}: ids hold no quotes, so the first "points": is the key.
  const start = body.indexOf('"points":') + '"points":'.length;
  return body.slice(start, body.length - 1);
}

/** The batch's points as objects, decoded once per batch object. */
export function batchPoints(batch: Batch): Point[] {
  let points = decoded.get(batch);
  if (!points) {
    points = JSON.parse(pointsArrayJson(batch)) as Point[];
    decoded.set(batch, points);
  }
  return points;
}

/** The HTTP request body of a batch, and whether it is gzip-compressed. */
export function requestBody(batch: Batch, codec: BatchCodec): { body: Buffer; gzipped: boolean } {
  if (batch.encoding === 'gzip-body') return { body: Buffer.isBuffer(batch.data) ? batch.data : Buffer.from(batch.data, 'latin1'), gzipped: true };
  if (batch.encoding === 'json-body') return { body: Buffer.from(batch.data), gzipped: false };
  // A batch an earlier fieldbridge spooled: encoded now, as that version did.
  const json = Buffer.from(`${bodyPrefix(codec)}${pointsArrayJson(batch)}}`);
  if (codec.gzipLevel === undefined || json.length <= GZIP_THRESHOLD_BYTES) return { body: json, gzipped: false };
  return { body: gzipSync(json, { level: codec.gzipLevel }), gzipped: true };
}

/**
 * A batch that replaces part of `parent` when it must be cut (split on 413, a point isolated on
 * 400): it keeps the order of its points and gets an id derived from the parent's, so a retry of
 * a part is still recognisable as the same data.
 */
export function deriveBatch(parent: Batch, points: readonly Point[], suffix: string, codec: BatchCodec): Batch {
  return encodeBatch({ id: `${parent.id}.${suffix}`, createdAtMs: parent.createdAtMs, points }, codec);
}
