import { Agent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { call, KEY, startGateway } from './helpers.js';

function post(agent: Agent, url: string, body: string): Promise<{ res: IncomingMessage; reused: boolean; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ res, reused: req.reusedSocket, text }));
    });
    req.end(body);
  });
}

describe('routing', () => {
  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const gateway = await startGateway();
    const missing = await call(gateway, 'GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: expect.stringContaining('/nothing-here') });
    const wrong = await call(gateway, 'GET', '/ingest');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST, HEAD');
  });

  it('tells the server time on HEAD /ingest (and on every ingest answer) in x-server-time-ms', async () => {
    const gateway = await startGateway({ clockOffsetMs: 90_000 });
    const head = await call(gateway, 'HEAD', '/ingest');
    expect(head.status).toBe(200);
    expect(Math.abs(Number(head.headers['x-server-time-ms']) - gateway.clockNow())).toBeLessThan(1000);
    const refused = await call(gateway, 'POST', '/ingest');
    expect(refused.status).toBe(401);
    expect(Number(refused.headers['x-server-time-ms'])).toBeGreaterThan(Date.now() + 80_000);
  });

  it('serves /healthz without a key', async () => {
    const gateway = await startGateway();
    const answer = await call(gateway, 'GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
  });

  it('keeps connections alive across requests', async () => {
    const gateway = await startGateway();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = JSON.stringify({ source_id: 'a', points: [{ metric: 'm', value: 1 }] });
      const first = await post(agent, gateway.url, body);
      const second = await post(agent, gateway.url, body);
      const failed = await post(agent, gateway.url, '{broken');
      const third = await post(agent, gateway.url, body);
      expect([first, second, failed, third].map((r) => r.res.statusCode)).toEqual([200, 200, 400, 200]);
      expect([second.reused, failed.reused, third.reused]).toEqual([true, true, true]);
    } finally {
      agent.destroy();
    }
  });

  it('exposes url, origin and port, and close() is idempotent even with open connections', async () => {
    const gateway = await startGateway();
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}/ingest`);
    expect(gateway.origin).toBe(`http://127.0.0.1:${gateway.port}`);
    const agent = new Agent({ keepAlive: true });
    await post(agent, gateway.url, JSON.stringify({ source_id: 'a', points: [{ metric: 'm', value: 1 }] }));
    await Promise.all([gateway.close(), gateway.close()]);
    await gateway.close();
    await expect(post(agent, gateway.url, '{}')).rejects.toThrow();
    agent.destroy();
  });

  it('refuses WebSocket upgrades on paths nobody handles', async () => {
    const gateway = await startGateway();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${gateway.origin}/ws/nowhere`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('upgrade', () => reject(new Error('unexpected upgrade')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});
