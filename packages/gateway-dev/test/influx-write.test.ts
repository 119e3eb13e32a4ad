import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { KEY, READ_ONLY_KEY, startGateway } from './helpers.js';

async function write(gateway: Gateway, body: string, query = 'org=o&bucket=b', headers: Record<string, string> = {}) {
  const res = await request(`${gateway.origin}/api/v2/write?${query}`, {
    method: 'POST',
    headers: { authorization: `Token ${KEY}`, 'content-type': 'text/plain; charset=utf-8', ...headers },
    body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('POST /api/v2/write (influxWrite)', () => {
  it('stores one point per field with tags and ms timestamps, answering 204', async () => {
    const gateway = await startGateway({ influxWrite: true, now: () => 1_800_000_000_000 });
    const body = ['cpu,host=a,source_id=rack-1 usage=0.5,cores=8i 1700000000000', 'door open=true,label="front, left"'].join('\n');
    const answer = await write(gateway, body, 'org=o&bucket=b&precision=ms');
    expect(answer).toEqual({ status: 204, json: undefined });
    expect(gateway.points()).toEqual([
      expect.objectContaining({ metric: 'cpu.usage', value: 0.5, timestamp: 1_700_000_000_000, source_id: 'rack-1', tags: { host: 'a', source_id: 'rack-1' } }),
      expect.objectContaining({ metric: 'cpu.cores', value: 8, timestamp: 1_700_000_000_000, source_id: 'rack-1' }),
      expect.objectContaining({ metric: 'door.open', value: true, timestamp: 1_800_000_000_000, source_id: 'influx' }),
      expect.objectContaining({ metric: 'door.label', value: 'front, left', source_id: 'influx' }),
    ]);
    expect(gateway.stats()).toMatchObject({ requests: 1, byStatus: { '204': 1 }, points: 4, batches: 1 });
  });

  it('accepts gzip bodies and nanosecond timestamps by default', async () => {
    const gateway = await startGateway({ influxWrite: true });
    const res = await request(`${gateway.origin}/api/v2/write?org=o&bucket=b`, {
      method: 'POST',
      headers: { authorization: `Token ${KEY}`, 'content-encoding': 'gzip' },
      body: gzipSync('m v=1 1700000000000000000\n'),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(204);
    expect(gateway.points()).toMatchObject([{ metric: 'm.v', value: 1, timestamp: 1_700_000_000_000 }]);
  });

  it('answers 401, 403 and 400 in the Influx error format', async () => {
    const gateway = await startGateway({ influxWrite: true });
    expect(await write(gateway, 'm v=1', 'bucket=b', { authorization: '' })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await write(gateway, 'm v=1', 'bucket=b', { authorization: 'Token nope' })).toMatchObject({ status: 401 });
    expect(await write(gateway, 'm v=1', 'bucket=b', { authorization: `Token ${READ_ONLY_KEY}` })).toMatchObject({
      status: 403,
      json: { code: 'forbidden' },
    });
    const bad = await write(gateway, 'm v=1\nm v=oops');
    expect(bad).toEqual({ status: 400, json: { code: 'invalid', message: expect.stringContaining('line 2') } });
    expect((await write(gateway, 'm v=1', 'precision=h')).status).toBe(400);
    expect(gateway.points()).toEqual([]);
  });

  it('is off unless enabled', async () => {
    const gateway = await startGateway();
    expect((await write(gateway, 'm v=1')).status).toBe(404);
  });
});
