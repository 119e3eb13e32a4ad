import { describe, expect, it } from 'vitest';
import type { StoredPoint } from '../src/index.js';
import { batch, call, ingest, KEY, startGateway } from './helpers.js';

describe('dev endpoints', () => {
  async function seeded() {
    const gateway = await startGateway();
    await ingest(gateway, {
      source_id: 'plant-a',
      points: [
        { metric: 'rpm', value: 1 },
        { metric: 'temp', value: 2 },
        { metric: 'rpm', value: 3, source_id: 'plant-b' },
      ],
    });
    return gateway;
  }

  it('GET /_dev/points lists stored points, filtered by metric and source_id', async () => {
    const gateway = await seeded();
    const all = await call(gateway, 'GET', '/_dev/points');
    expect(all.status).toBe(200);
    const body = all.json as { count: number; points: StoredPoint[] };
    expect(body.count).toBe(3);
    expect(body.points).toEqual(gateway.points());
    const rpm = (await call(gateway, 'GET', '/_dev/points?metric=rpm')).json as { points: StoredPoint[] };
    expect(rpm.points.map((p) => p.value)).toEqual([1, 3]);
    const rpmB = await call(gateway, 'GET', '/_dev/points?metric=rpm&source_id=plant-b');
    expect(rpmB.json).toMatchObject({ count: 1, points: [{ value: 3, source_id: 'plant-b' }] });
  });

  it('GET /_dev/stats reports the counters of ingest requests only', async () => {
    const gateway = await seeded();
    await ingest(gateway, batch(), { key: 'wrong' });
    await call(gateway, 'GET', '/_dev/points');
    const stats = await call(gateway, 'GET', '/_dev/stats');
    expect(stats.json).toEqual({
      requests: 2,
      byStatus: { '200': 1, '401': 1 },
      points: 3,
      batches: 1,
      duplicateBatches: 0,
      bytesIn: expect.any(Number),
      bySource: { 'plant-a': 2, 'plant-b': 1 },
      retained: 3,
      signatureRefusals: { missing: 0, malformed: 0, mismatch: 0, stale: 0 },
    });
    expect(stats.json).toEqual(gateway.stats());
  });

  it('keeps at most maxRetainedPoints in memory, the newest, while counting every one per source', async () => {
    const gateway = await startGateway({ maxRetainedPoints: 100 });
    for (let i = 0; i < 30; i++) await ingest(gateway, batch(10, i % 2 === 0 ? 'line-a' : 'line-b'));
    const stats = gateway.stats();
    expect(stats.points).toBe(300);
    expect(stats.bySource).toEqual({ 'line-a': 150, 'line-b': 150 });
    expect(stats.retained).toBeGreaterThanOrEqual(100);
    expect(stats.retained).toBeLessThanOrEqual(110);
    // The last batch stored is among those kept.
    expect(gateway.points().at(-1)).toMatchObject({ source_id: 'line-b', value: 1009 });
  });

  it('POST /_dev/reset forgets points, counters and batch ids', async () => {
    const gateway = await startGateway();
    await ingest(gateway, batch(), { headers: { 'x-batch-id': 'b1' } });
    expect((await call(gateway, 'POST', '/_dev/reset')).status).toBe(204);
    expect(gateway.points()).toEqual([]);
    expect(gateway.stats()).toEqual({ requests: 0, byStatus: {}, points: 0, batches: 0, duplicateBatches: 0, bytesIn: 0, bySource: {}, retained: 0, signatureRefusals: { missing: 0, malformed: 0, mismatch: 0, stale: 0 } });
    await ingest(gateway, batch(), { headers: { 'x-batch-id': 'b1' } });
    expect(gateway.stats().duplicateBatches).toBe(0);
  });

  it('can be switched off', async () => {
    const gateway = await startGateway({ devEndpoints: false });
    expect((await call(gateway, 'GET', '/_dev/points')).status).toBe(404);
    expect((await call(gateway, 'GET', '/healthz')).status).toBe(200);
  });

  it('keeps counting without keeping points when retainPoints is false', async () => {
    const gateway = await startGateway({ retainPoints: false });
    await ingest(gateway, batch(3));
    expect(gateway.points()).toEqual([]);
    expect(gateway.stats()).toMatchObject({ points: 3, batches: 1 });
  });

  it('need a key when the gateway listens beyond loopback (issue 10 #24)', async () => {
    const open = await startGateway({ host: '0.0.0.0' });
    // Its URLs name an address to connect to, not the wildcard it listens on.
    expect(open.origin).toBe(`http://127.0.0.1:${open.port}`);
    const viaLoopback = open;
    expect((await call(viaLoopback, 'GET', '/_dev/stats')).status).toBe(401);
    expect((await call(viaLoopback, 'POST', '/_dev/reset')).status).toBe(401);
    expect((await call(viaLoopback, 'GET', '/_dev/stats', undefined, { 'x-api-key': KEY })).status).toBe(200);
    expect((await call(viaLoopback, 'GET', `/_dev/stats?key=${KEY}`)).status).toBe(200);
    // The live page is static; its stream needs the key too (the page passes ?key= on).
    expect((await call(viaLoopback, 'GET', '/')).status).toBe(200);
    expect((await call(viaLoopback, 'GET', '/_dev/live/history?ids=')).status).toBe(401);
    const local = await startGateway();
    expect((await call(local, 'GET', '/_dev/stats')).status).toBe(200);
  });
});
