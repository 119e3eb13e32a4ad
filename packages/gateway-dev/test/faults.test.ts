import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../src/index.js';
import type { FaultPlan } from '../src/index.js';
import { batch, call, ingest, startGateway } from './helpers.js';

describe('fault injection', () => {
  it('fails exactly the next `count` ingest requests with the status, then recovers', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ status: 503, count: 2, retryAfter: '2' });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await ingest(gateway, batch()));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(answers[0]?.headers['retry-after']).toBe('2');
    expect(answers[0]?.json).toEqual({ error: expect.stringContaining('503') });
    expect(answers[2]?.headers['retry-after']).toBeUndefined();
    expect(gateway.points()).toHaveLength(1);
    expect(gateway.stats()).toMatchObject({ requests: 3, byStatus: { '503': 2, '200': 1 } });
  });

  it('sends an HTTP-date Retry-After verbatim', async () => {
    const gateway = await startGateway();
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    gateway.setFaults({ status: 429, count: 1, retryAfter: date });
    const answer = await ingest(gateway, batch());
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe(date);
  });

  it('answers faults before checking the key', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ status: 500, count: 1 });
    expect((await ingest(gateway, batch(), { key: null })).status).toBe(500);
    expect((await ingest(gateway, batch(), { key: null })).status).toBe(401);
  });

  it('delays the answer by delayMs and then handles the request normally', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ delayMs: 150, count: 1 });
    const started = performance.now();
    const answer = await ingest(gateway, batch());
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(answer.status).toBe(200);
    expect(gateway.points()).toHaveLength(1);
  });

  it('drops the connection without an answer', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ drop: true, count: 1 });
    await expect(ingest(gateway, batch())).rejects.toThrow();
    expect(gateway.points()).toHaveLength(0);
    expect((await ingest(gateway, batch())).status).toBe(200);
    expect(gateway.stats().byStatus).toEqual({ dropped: 1, '200': 1 });
  });

  it('affects a share of requests by ratio, drawn from the injected random function', async () => {
    const draws = [0.1, 0.7, 0.2, 0.9];
    const gateway = await startGateway({ random: () => draws.shift() ?? 1 });
    gateway.setFaults({ status: 502, ratio: 0.5 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ingest(gateway, batch())).status);
    expect(statuses).toEqual([502, 200, 502, 200]);
  });

  it('clears faults with setFaults(undefined) and reset()', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ status: 503 });
    expect((await ingest(gateway, batch())).status).toBe(503);
    gateway.setFaults(undefined);
    expect((await ingest(gateway, batch())).status).toBe(200);
    gateway.setFaults({ status: 503 });
    gateway.reset();
    expect((await ingest(gateway, batch())).status).toBe(200);
  });

  it.each<[string, unknown]>([
    ['a status outside 400..599', { status: 200 }],
    ['a ratio over 1', { ratio: 1.5 }],
    ['a fractional count', { count: 1.5 }],
    ['a numeric retryAfter', { retryAfter: 2 }],
    ['a negative delay', { delayMs: -1 }],
    ['an unknown key', { rejectIndex: 2 }],
  ])('rejects a plan with %s', async (_name, plan) => {
    const gateway = await startGateway();
    let caught: unknown;
    try {
      gateway.setFaults(plan as FaultPlan);
    } catch (err) {
      caught = err;
    }
    expect(isGatewayError(caught, 'FAULTS_INVALID')).toBe(true);
    const answer = await call(gateway, 'PUT', '/_dev/faults', plan);
    expect(answer.status).toBe(400);
  });

  it('is driven over HTTP: PUT, GET with the remaining count, DELETE', async () => {
    const gateway = await startGateway();
    const put = await call(gateway, 'PUT', '/_dev/faults', { status: 503, count: 2 });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ faults: { status: 503, count: 2 }, remaining: 2 });
    expect((await ingest(gateway, batch())).status).toBe(503);
    expect((await call(gateway, 'GET', '/_dev/faults')).json).toEqual({ faults: { status: 503, count: 2 }, remaining: 1 });
    expect((await call(gateway, 'DELETE', '/_dev/faults')).status).toBe(204);
    expect((await call(gateway, 'GET', '/_dev/faults')).json).toEqual({ faults: null, remaining: null });
    expect((await ingest(gateway, batch())).status).toBe(200);
    expect((await call(gateway, 'PUT', '/_dev/faults', '{not json')).status).toBe(400);
  });

  it('close() does not wait for a pending fault delay', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ delayMs: 60_000 });
    const pending = ingest(gateway, batch());
    await expect.poll(() => gateway.stats().requests).toBe(1);
    await gateway.close();
    await expect(pending).rejects.toThrow();
  });
});
