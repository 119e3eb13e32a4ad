import { describe, expect, it } from 'vitest';
import { batch, ingest, KEY, READ_ONLY_KEY, startGateway } from './helpers.js';

describe('POST /ingest authentication', () => {
  it('answers 401 with an error when the x-api-key header is missing', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, batch(), { key: null });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: expect.stringContaining('x-api-key') });
    expect(gateway.points()).toHaveLength(0);
  });

  it('answers 401 for an unknown key', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, batch(), { key: 'nope' });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: 'invalid API key' });
  });

  it('answers 403 for a key without write scope', async () => {
    const gateway = await startGateway();
    const answer = await ingest(gateway, batch(), { key: READ_ONLY_KEY });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ error: expect.stringContaining('write scope') });
    expect(gateway.points()).toHaveLength(0);
  });

  it('stores with any of several write keys and answers 200 with count and server time', async () => {
    const gateway = await startGateway({ apiKeys: [KEY, 'second-key'] });
    const first = await ingest(gateway, batch(2));
    const second = await ingest(gateway, batch(1), { key: 'second-key' });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ success: true, count: 2, server_time_ms: expect.any(Number) });
    expect(second.status).toBe(200);
    expect(gateway.points()).toHaveLength(3);
  });

  it('sends a Date header on every answer', async () => {
    const gateway = await startGateway();
    const ok = await ingest(gateway, batch());
    const denied = await ingest(gateway, batch(), { key: null });
    for (const answer of [ok, denied]) {
      expect(Number.isNaN(Date.parse(String(answer.headers.date)))).toBe(false);
    }
  });
});
