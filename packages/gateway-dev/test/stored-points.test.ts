import { describe, expect, it } from 'vitest';
import { batch, ingest, startGateway } from './helpers.js';

describe('stored points', () => {
  it('reads timestamps below 1e12 as seconds and stores milliseconds', async () => {
    const gateway = await startGateway();
    const points = [
      { metric: 's', value: 1, timestamp: 1_700_000_000 },
      { metric: 'frac', value: 1, timestamp: 1_700_000_000.25 },
      { metric: 'ms', value: 1, timestamp: 1_700_000_000_123.5 },
      { metric: 'none', value: 1 },
    ];
    expect((await ingest(gateway, { source_id: 'a', points })).status).toBe(200);
    expect(gateway.points().map((p) => p.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_250, 1_700_000_000_123.5, undefined]);
  });

  it('keeps the point as sent, resolves source_id and adds receipt details', async () => {
    const gateway = await startGateway({ now: () => 1_800_000_000_000 });
    const points = [
      { metric: 'a', value: 1, tags: { site: 'plant-a' }, session_id: 's1', class: 'metric', extra: 'kept' },
      { metric: 'b', value: 'on', source_id: 'other.src' },
    ];
    await ingest(gateway, { source_id: 'plant-a', points }, { headers: { 'x-batch-id': 'batch-1' } });
    expect(gateway.points()).toEqual([
      { ...points[0], source_id: 'plant-a', received_at_ms: 1_800_000_000_000, batch_id: 'batch-1' },
      { ...points[1], received_at_ms: 1_800_000_000_000, batch_id: 'batch-1' },
    ]);
  });

  it('omits batch_id when the request had no x-batch-id', async () => {
    const gateway = await startGateway();
    await ingest(gateway, batch());
    expect(gateway.points()[0]).not.toHaveProperty('batch_id');
    expect(gateway.points()[0]).not.toHaveProperty('duplicate');
  });

  it('filters points by metric and source id', async () => {
    const gateway = await startGateway();
    await ingest(gateway, {
      source_id: 'a',
      points: [
        { metric: 'x', value: 1 },
        { metric: 'y', value: 2 },
        { metric: 'x', value: 3, source_id: 'b' },
      ],
    });
    expect(gateway.points({ metric: 'x' }).map((p) => p.value)).toEqual([1, 3]);
    expect(gateway.points({ sourceId: 'b' }).map((p) => p.value)).toEqual([3]);
    expect(gateway.points({ metric: 'x', sourceId: 'a' }).map((p) => p.value)).toEqual([1]);
  });

  it('answers server_time_ms from the server clock, shifted by clockOffsetMs', async () => {
    let now = 1_800_000_000_000;
    const gateway = await startGateway({ now: () => now, clockOffsetMs: -5000 });
    const first = await ingest(gateway, batch());
    expect(first.json).toMatchObject({ server_time_ms: 1_799_999_995_000 });
    expect(gateway.clockNow()).toBe(1_799_999_995_000);
    expect(gateway.points()[0]?.received_at_ms).toBe(1_799_999_995_000);

    now += 1000;
    gateway.setClockOffsetMs(60_000);
    const second = await ingest(gateway, batch());
    expect(second.json).toMatchObject({ server_time_ms: 1_800_000_061_000 });
  });

  it('uses the real clock by default', async () => {
    const gateway = await startGateway();
    const before = Date.now();
    const answer = await ingest(gateway, batch());
    const serverTime = (answer.json as { server_time_ms: number }).server_time_ms;
    expect(serverTime).toBeGreaterThanOrEqual(before);
    expect(serverTime).toBeLessThanOrEqual(Date.now());
  });
});

describe('x-batch-id', () => {
  it('stores a repeated batch again, flags it and counts the duplicate', async () => {
    const gateway = await startGateway();
    const headers = { 'x-batch-id': 'b-42' };
    const first = await ingest(gateway, batch(2), { headers });
    const again = await ingest(gateway, batch(2), { headers });
    const other = await ingest(gateway, batch(1), { headers: { 'x-batch-id': 'b-43' } });
    expect([first.status, again.status, other.status]).toEqual([200, 200, 200]);
    expect(again.json).toMatchObject({ success: true, count: 2 });
    expect(gateway.points().map((p) => p.duplicate)).toEqual([undefined, undefined, true, true, undefined]);
    expect(gateway.stats()).toMatchObject({ batches: 3, duplicateBatches: 1, points: 5 });
  });

  it('remembers only stored batches: a rejected batch id is not a duplicate later', async () => {
    const gateway = await startGateway();
    const headers = { 'x-batch-id': 'b-1' };
    const rejected = await ingest(gateway, { source_id: 'a', points: [{ metric: 'm', value: null }] }, { headers });
    const stored = await ingest(gateway, batch(), { headers });
    expect([rejected.status, stored.status]).toEqual([400, 200]);
    expect(gateway.stats().duplicateBatches).toBe(0);
    expect(gateway.points()[0]).not.toHaveProperty('duplicate');
  });

  it('remembers the last maxBatchIds ids, so memory stays bounded however long it runs; the oldest are forgotten first', async () => {
    const gateway = await startGateway({ maxBatchIds: 2, retainPoints: false });
    const send = async (id: string) => (await ingest(gateway, batch(), { headers: { 'x-batch-id': id } })).status;
    for (const id of ['b-1', 'b-2', 'b-3']) expect(await send(id)).toBe(200);
    // b-1 was forgotten when b-3 came; b-3 is still known (and b-1, seen again, is now the newest).
    expect(await send('b-1')).toBe(200);
    expect(gateway.stats().duplicateBatches).toBe(0);
    expect(await send('b-3')).toBe(200);
    expect(await send('b-1')).toBe(200);
    expect(gateway.stats()).toMatchObject({ batches: 6, duplicateBatches: 2 });
  });

  it('refuses a maxBatchIds that is not a positive integer', async () => {
    await expect(startGateway({ maxBatchIds: 0 })).rejects.toThrow('createGateway: maxBatchIds must be a positive integer');
  });
});
