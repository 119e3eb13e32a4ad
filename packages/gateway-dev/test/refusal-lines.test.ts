import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ingest, startGateway } from './helpers.js';

describe('refusals said as lines (the command passes stderr)', () => {
  it('says the same refusal of a source once a minute, then with how many more came meanwhile', async () => {
    const lines = new PassThrough();
    let text = '';
    lines.on('data', (c: Buffer) => (text += c.toString()));
    let now = Date.UTC(2026, 11, 4, 12, 0, 0);
    const gateway = await startGateway({ refusals: lines, now: () => now, live: false });
    const wrong = () => ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'm', value: 1 }] }, { key: 'wrong' });
    for (let i = 0; i < 3; i++) expect((await wrong()).status).toBe(401);
    now += 30_000;
    expect((await wrong()).status).toBe(401);
    now += 30_000;
    expect((await wrong()).status).toBe(401);
    expect((await ingest(gateway, { source_id: 'plant-a', points: [{ metric: 'm', value: 1 }] })).status).toBe(200);
    const said = text.trimEnd().split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
    expect(said).toEqual(['refused HTTP 401: invalid API key', 'refused HTTP 401: invalid API key (and 3 more like it in the last 60 s)']);
  });

  it('says another reason from the same source at once, and a reason naming another point index as the same one', async () => {
    const lines = new PassThrough();
    let text = '';
    lines.on('data', (c: Buffer) => (text += c.toString()));
    const gateway = await startGateway({ refusals: lines, now: () => Date.UTC(2026, 11, 4, 12, 0, 0), live: false });
    const body = (points: unknown[]) => ({ source_id: 'plant-a', points });
    expect((await ingest(gateway, body([{ metric: 'm', value: 1 }]), { key: null })).status).toBe(401);
    expect((await ingest(gateway, body([{ metric: 'm', value: 1 }]), { key: 'wrong' })).status).toBe(401);
    expect((await ingest(gateway, body([{ metric: 'm', value: null }]))).status).toBe(400);
    expect((await ingest(gateway, body([{ metric: 'm', value: 1 }, { metric: 'm', value: null }]))).status).toBe(400);
    expect((await ingest(gateway, body([{ metric: '', value: 1 }]))).status).toBe(400);
    const said = text.trimEnd().split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
    expect(said).toEqual([
      'refused HTTP 401: missing API key: send it in the x-api-key header',
      'refused HTTP 401: invalid API key',
      'refused HTTP 400 from plant-a: points[0].value must not be null',
      'refused HTTP 400 from plant-a: points[0].metric must be 1..256 characters',
    ]);
  });
});
