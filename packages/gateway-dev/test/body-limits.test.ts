import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { batch, ingest, KEY, startGateway } from './helpers.js';

const MAX = 64 * 1024;

/** A body of about `bytes` bytes that gzip cannot shrink. */
function incompressibleBody(bytes: number): Buffer {
  const noise = randomBytes(bytes).toString('base64');
  return Buffer.from(JSON.stringify({ source_id: 'a', points: [{ metric: 'blob', value: noise }] }));
}

/** The body as a stream of chunks, so it goes out chunked, without a content-length. */
function chunked(body: Buffer, size = 8192): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
  }
  return Readable.from(chunks());
}

describe('gzip bodies', () => {
  it('decompresses content-encoding: gzip and counts compressed bytes in', async () => {
    const gateway = await startGateway();
    const body = Buffer.from(JSON.stringify(batch(200)));
    const answer = await ingest(gateway, body, { gzip: true });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ count: 200 });
    expect(gateway.points()).toHaveLength(200);
    const stats = gateway.stats();
    expect(stats.bytesIn).toBe(gzipSync(body).length);
    expect(stats.bytesIn).toBeLessThan(body.length);
  });

  it('answers 400 for a body that is not gzip', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, JSON.stringify(batch()), { headers: { 'content-encoding': 'gzip' } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.stringContaining('not valid gzip') });
  });

  it('answers 415 for an encoding it does not speak', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, JSON.stringify(batch()), { headers: { 'content-encoding': 'br' } });
    expect(answer.status).toBe(415);
  });
});

describe('413 too large', () => {
  it('refuses a plain body over maxBodyBytes, and the connection stays usable', async () => {
    const gateway = await startGateway({ maxBodyBytes: MAX, maxEventBytes: 1024 * 1024 });
    const dispatcher = new Agent({ connections: 1 });
    try {
      const big = await ingest(gateway, incompressibleBody(MAX), { dispatcher });
      expect(big.status).toBe(413);
      expect(big.json).toEqual({ error: expect.stringContaining(`limit of ${MAX}`) });
      const next = await ingest(gateway, batch(), { dispatcher });
      expect(next.status).toBe(200);
    } finally {
      await dispatcher.close();
    }
  });

  it('stops reading a chunked body (no content-length) once it passes the cap', async () => {
    const gateway = await startGateway({ maxBodyBytes: MAX, maxEventBytes: 1024 * 1024 });
    const res = await request(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: chunked(incompressibleBody(2 * MAX)),
    });
    expect(res.statusCode).toBe(413);
    expect(await res.body.json()).toEqual({ error: expect.stringContaining('over the limit') });
    expect(gateway.points()).toHaveLength(0);
  });

  it('refuses a gzip body whose compressed size is over the cap', async () => {
    const gateway = await startGateway({ maxBodyBytes: MAX, maxEventBytes: 1024 * 1024 });
    const answer = await ingest(gateway, incompressibleBody(2 * MAX), { gzip: true });
    expect(answer.status).toBe(413);
  });

  it('refuses a small gzip body that decompresses past the cap', async () => {
    const gateway = await startGateway({ maxBodyBytes: MAX, maxEventBytes: 1024 * 1024 });
    const body = Buffer.from(JSON.stringify({ source_id: 'a', points: [{ metric: 'zeros', value: '0'.repeat(4 * MAX) }] }));
    expect(gzipSync(body).length).toBeLessThan(MAX);
    for (const size of [undefined, 512]) {
      const compressed = gzipSync(body);
      const res = await request(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-api-key': KEY },
        body: size === undefined ? compressed : chunked(compressed, size),
      });
      expect(res.statusCode).toBe(413);
      expect(await res.body.json()).toEqual({ error: expect.stringContaining('decompressed body') });
    }
  });

  it('accepts maxPoints points and refuses one more', async () => {
    const gateway = await startGateway({ maxPoints: 50 });
    const ok = await ingest(gateway, batch(50), { gzip: true });
    const tooMany = await ingest(gateway, batch(51), { gzip: true });
    expect(ok.status).toBe(200);
    expect(tooMany.status).toBe(413);
    expect(tooMany.json).toEqual({ error: '51 points, over the limit of 50 per request' });
    expect(gateway.points()).toHaveLength(50);
  });

  it('defaults to the Plexus limits: 10,000 points and 5 MiB', async () => {
    const gateway = await startGateway();
    expect((await ingest(gateway, batch(10_000), { gzip: true })).status).toBe(200);
    expect((await ingest(gateway, batch(10_001), { gzip: true })).status).toBe(413);
    const overFiveMiB = Buffer.alloc(5 * 1024 * 1024 + 1, 0x20);
    expect((await ingest(gateway, overFiveMiB)).status).toBe(413);
    expect((await ingest(gateway, overFiveMiB, { gzip: true })).status).toBe(413);
  });
});
