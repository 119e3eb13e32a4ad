import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BATCH_OVERHEAD_BYTES, type Batch } from '../src/shared/batch.js';
import { batchPoints, encodeBatch, requestBody } from '../src/shared/batch-codec.js';
import type { Point } from '../src/point/point.js';

const codec = { sourceId: 'plant-a', gzipLevel: 1 };
const points = (n: number): Point[] => Array.from({ length: n }, (_, i) => ({ metric: `line${i % 5}.temperature`, value: 20 + (i % 17) / 10, timestamp: 1_767_225_600_000 + i, tags: { site: 'a' } }));

describe('batch encoding', () => {
  it('seals the HTTP body once, gzip-compressed, and counts what it holds', () => {
    const batch = encodeBatch({ id: 'b1', createdAtMs: 1, points: points(1000) }, codec);
    expect(batch.encoding).toBe('gzip-body');
    const body = JSON.parse(gunzipSync(batch.data as Buffer).toString('utf8')) as { source_id: string; points: Point[] };
    expect(body).toEqual({ source_id: 'plant-a', points: points(1000) });
    expect(batch.bytes).toBe((batch.data as Buffer).length + BATCH_OVERHEAD_BYTES);
    expect(batch.rawBytes).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(requestBody(batch, codec)).toEqual({ body: batch.data, gzipped: true });
  });

  it('holds exactly the bytes it counts (not a view of zlib\'s 16 KiB output buffer)', () => {
    // A spool full of batches that each kept 16 KiB alive would hold twice its max_bytes.
    for (const n of [20, 200, 1000]) {
      const data = encodeBatch({ id: `b${n}`, createdAtMs: 1, points: points(n) }, codec).data as Buffer;
      expect(data.buffer.byteLength).toBe(data.length);
    }
  });

  it('leaves a body of 1 KiB or less uncompressed, and plain JSON when gzip is off', () => {
    const small = encodeBatch({ id: 's', createdAtMs: 1, points: points(2) }, codec);
    expect(small.encoding).toBe('json-body');
    expect(JSON.parse(String(small.data))).toEqual({ source_id: 'plant-a', points: points(2) });
    const plain = encodeBatch({ id: 'p', createdAtMs: 1, points: points(100) }, { sourceId: 'plant-a', gzipLevel: undefined });
    expect(plain.encoding).toBe('json-body');
    expect(requestBody(plain, codec).gzipped).toBe(false);
  });

  it('decodes the points where a path needs them as objects', () => {
    const batch = encodeBatch({ id: 'b', createdAtMs: 1, points: points(50) }, codec);
    expect(batchPoints(batch)).toEqual(points(50));
  });

  it('sends a batch an earlier fieldbridge stored (the points array as JSON) as that version did', () => {
    const legacy: Batch = { id: 'old', count: 300, bytes: 1, createdAtMs: 1, encoding: 'json-points', data: JSON.stringify(points(300)) };
    const { body, gzipped } = requestBody(legacy, codec);
    expect(gzipped).toBe(true);
    expect(JSON.parse(gunzipSync(body).toString('utf8'))).toEqual({ source_id: 'plant-a', points: points(300) });
    expect(batchPoints(legacy)).toEqual(points(300));
  });
});
