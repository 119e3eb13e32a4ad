import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSink, type Sink, type SinkOptions } from '../src/index.js';
import { fail, ok, startIngestServer } from './helpers/ingest-server.js';

type Server = Awaited<ReturnType<typeof startIngestServer>>;
let server: Server;
let dir: string;
const sinks: Sink[] = [];
const silent = pino({ level: 'silent' });
const T0 = 1_700_000_000_000;

beforeEach(async () => {
  server = await startIngestServer();
  dir = mkdtempSync(join(tmpdir(), 'fb-sink-'));
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, authProbeIntervalMs: 20 };
const sink = (o: Partial<SinkOptions> = {}) => {
  const s = createSink({
    url: server.url,
    apiKey: 'key-1',
    sourceId: 'test-src',
    logger: silent,
    retry: fastRetry,
    deadLetterPath: join(dir, 'dead.ndjson'),
    ...o,
  });
  sinks.push(s);
  return s;
};
const values = () => server.requests.flatMap((r) => r.body.points.map((p) => p.value));
const deadLetters = () => readFileSync(join(dir, 'dead.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; point: { value: unknown } });
const writeN = (s: Sink, n: number, from = 0) => {
  for (let i = from; i < from + n; i++) s.write({ metric: 'm', value: i, timestamp: T0 + i });
};

describe('sink over HTTP: batching and the wire', () => {
  it('batches by count and sends the Plexus body with key, batch id and gzip', async () => {
    const s = sink({ batch: { maxPoints: 100, lingerMs: 60_000 } });
    writeN(s, 250);
    await server.until(() => server.requests.length === 2);
    await s.flush();
    expect(server.requests.map((r) => r.body.points.length).sort()).toEqual([100, 100, 50].sort());
    const [first] = server.requests;
    expect(first!.headers['x-api-key']).toBe('key-1');
    expect(first!.headers['content-encoding']).toBe('gzip');
    expect(first!.headers['x-batch-id']).toMatch(/^[0-9a-z]+-[0-9a-f]{16}$/);
    expect(first!.body.source_id).toBe('test-src');
    expect(first!.wireBytes).toBeLessThan(JSON.stringify(first!.body).length);
    expect(values().sort((a, b) => Number(a) - Number(b))).toEqual([...Array(250).keys()]);
  });

  it('does not gzip bodies of 1 KiB or less', async () => {
    const s = sink();
    s.send('one', 1, { timestamp: T0 });
    await s.flush();
    expect(server.requests[0]!.headers['content-encoding']).toBeUndefined();
  });

  it('seals by linger time when the batch is not full', async () => {
    const s = sink({ batch: { maxPoints: 1000, lingerMs: 20 } });
    writeN(s, 3);
    await server.until(() => server.requests.length === 1);
    expect(server.requests[0]!.body.points).toHaveLength(3);
  });

  it('stamps points without a timestamp and merges sink tags under point tags', async () => {
    const s = sink({ tags: { site: 'a', line: '1' } });
    const before = Date.now();
    s.write({ metric: 'm', value: 1, tags: { line: '2' } });
    await s.flush();
    const p = server.requests[0]!.body.points[0]!;
    expect(p.tags).toEqual({ site: 'a', line: '2' });
    expect(p.timestamp as number).toBeGreaterThanOrEqual(before - 50);
    // The stamp was provisional: the sink asked the receiver for its time first.
    expect(server.clockProbes()).toBe(1);
  });

  it('never sends more than 10,000 points in one request', async () => {
    const s = sink({ batch: { maxPoints: 10_000, maxBytes: 5 * 1024 * 1024, lingerMs: 60_000 } });
    writeN(s, 25_000);
    await s.flush();
    expect(server.requests.map((r) => r.body.points.length).sort()).toEqual([10_000, 10_000, 5_000].sort());
  });
});

describe('sink over HTTP: the answer policy', () => {
  it('one invalid point among 1,000 costs only that point, dead-lettered with the reason', async () => {
    const s = sink();
    writeN(s, 500);
    s.write({ metric: 'm', value: Number.NaN, timestamp: T0 });
    writeN(s, 499, 500);
    await s.flush();
    expect(values()).toHaveLength(999);
    const dead = deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toMatch(/finite/);
  });

  it('400 naming points[i] isolates that point and sends the rest', async () => {
    server.setResponder((req, res) => {
      const bad = req.body.points.findIndex((p) => p.value === 7);
      if (bad >= 0) fail(res, 400, `points[${bad}].value rejected by policy`);
      else ok(req, res);
    });
    const s = sink();
    writeN(s, 20);
    await s.flush();
    const delivered = server.requests.slice(1).flatMap((r) => r.body.points.map((p) => p.value));
    expect(delivered).toEqual([...Array(20).keys()].filter((v) => v !== 7));
    expect(deadLetters()).toMatchObject([{ reason: 'HTTP 400: points[7].value rejected by policy', point: { value: 7 } }]);
    expect(server.requests[1]!.headers['x-batch-id']).toBe(`${server.requests[0]!.headers['x-batch-id']}.r7`);
  });

  it('a dead-letter record names the source and holds the point as it was refused: with the sink\'s tags, as sent', async () => {
    server.setResponder((req, res) => {
      const bad = req.body.points.findIndex((p) => p.value === 7);
      if (bad >= 0) fail(res, 400, `points[${bad}].value rejected by policy`);
      else ok(req, res);
    });
    const fileTags = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${i}`, 'v']));
    const s = sink({ tags: fileTags });
    // Refused at the sink: its 15 tags and the point's 2 make 17.
    s.write({ metric: 'alert.hot', value: { state: 'fired' }, class: 'event', timestamp: T0, tags: { rule: 'hot', state: 'fired' } });
    // Refused at the sink for itself, for another source.
    s.write({ metric: 'm', value: Number.NaN, timestamp: T0, source_id: 'plc-2' });
    // Refused by the receiver.
    s.write({ metric: 'm', value: 7, timestamp: T0 + 7 });
    s.write({ metric: 'm', value: 8, timestamp: T0 + 8 });
    await s.flush();
    const records = readFileSync(join(dir, 'dead.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => Object.keys(r))).toEqual([['at', 'reason', 'source_id', 'point'], ['at', 'reason', 'source_id', 'point'], ['at', 'reason', 'source_id', 'point']]);
    expect(records[0]).toMatchObject({
      reason: "with the sink's tags: more than 16 tags",
      source_id: 'test-src',
      point: { metric: 'alert.hot', timestamp: T0, tags: { ...fileTags, rule: 'hot', state: 'fired' } },
    });
    expect(records[1]).toMatchObject({ reason: 'value of a metric must be finite (NaN and Infinity are refused)', source_id: 'plc-2', point: { metric: 'm', source_id: 'plc-2' } });
    expect(records[2]).toEqual({ at: expect.any(String), reason: 'HTTP 400: points[0].value rejected by policy', source_id: 'test-src', point: { metric: 'm', value: 7, timestamp: T0 + 7, tags: fileTags } });
  });

  it('400 without an index bisects until the bad points are found', async () => {
    server.setResponder((req, res) => {
      if (req.body.points.some((p) => p.value === 3 || p.value === 12)) fail(res, 400, 'bad request');
      else ok(req, res);
    });
    const s = sink();
    writeN(s, 16);
    await s.flush();
    const accepted = server.requests
      .filter((r) => !r.body.points.some((p) => p.value === 3 || p.value === 12))
      .flatMap((r) => r.body.points.map((p) => p.value));
    expect(accepted.sort((a, b) => Number(a) - Number(b))).toEqual([...Array(16).keys()].filter((v) => v !== 3 && v !== 12));
    expect(deadLetters().map((d) => d.point.value)).toEqual([3, 12]);
  });

  it('413 splits the batch until it fits', async () => {
    server.setResponder((req, res) => (req.body.points.length > 30 ? fail(res, 413, 'too large') : ok(req, res)));
    const s = sink();
    writeN(s, 100);
    await s.flush();
    const okBatches = server.requests.filter((r) => r.body.points.length <= 30);
    // Two requests are in flight at once, so the parts may arrive in either order: each point once.
    expect(okBatches.flatMap((r) => r.body.points.map((p) => p.value as number)).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });

  it.each([429, 502, 503, 504])('%i is retried with the same batch id until it succeeds', async (status) => {
    server.setResponder((req, res, i) => (i < 3 ? fail(res, status, 'busy') : ok(req, res)));
    const s = sink();
    writeN(s, 5);
    await s.flush();
    expect(server.requests).toHaveLength(4);
    expect(new Set(server.requests.map((r) => r.headers['x-batch-id'])).size).toBe(1);
    expect(values().slice(-5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('honours Retry-After in seconds', async () => {
    const times: number[] = [];
    server.setResponder((req, res, i) => {
      times.push(Date.now());
      if (i === 0) fail(res, 429, 'slow down', { 'retry-after': '1' });
      else ok(req, res);
    });
    const s = sink();
    writeN(s, 1);
    await s.flush();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const times: number[] = [];
    server.setResponder((req, res, i) => {
      times.push(Date.now());
      if (i === 0) fail(res, 503, 'maintenance', { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
      else ok(req, res);
    });
    const s = sink();
    writeN(s, 1);
    await s.flush();
    // An HTTP date has whole seconds: the wait is 1 to 2 s.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it('500 is retried a bounded number of times, then dead-lettered', async () => {
    server.setResponder((_req, res) => fail(res, 500, 'internal'));
    const s = sink({ retry: { ...fastRetry, maxServerErrorAttempts: 3 } });
    writeN(s, 4);
    await s.flush();
    expect(server.requests).toHaveLength(3);
    expect(deadLetters()).toHaveLength(4);
    expect(deadLetters()[0]!.reason).toMatch(/HTTP 500: internal \(after 3 attempts\)/);
  });

  it('connection errors are retried (the server comes back on the same port)', async () => {
    const port = new URL(server.url).port;
    await server.close();
    const s = sink();
    writeN(s, 3);
    const { createServer } = await import('node:http');
    const revived = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"count":3}'));
    });
    await new Promise<void>((resolve) => revived.listen(Number(port), '127.0.0.1', resolve));
    await s.flush();
    expect(s.status().spool.points).toBe(0);
    await new Promise<void>((resolve) => {
      revived.close(() => resolve());
      revived.closeAllConnections();
    });
    server = await startIngestServer();
  });

  it('401 stops sending and reports once; nothing is lost when the key is fixed', async () => {
    let goodKey = 'new-key';
    server.setResponder((req, res) => (req.headers['x-api-key'] === goodKey ? ok(req, res) : fail(res, 401, 'invalid api key')));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const s = sink({ logger, apiKey: 'old-key' });
    writeN(s, 10);
    await server.until(() => server.requests.length >= 3);
    expect(s.status().refused).toBe(true);
    expect(s.status().spool.points).toBe(10);
    const refusals = lines.filter((l) => l.includes('refuses our credentials'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/Nothing is lost/);
    goodKey = 'old-key';
    await s.flush();
    expect(values().slice(-10)).toEqual([...Array(10).keys()]);
    expect(s.status().refused).toBe(false);
  });

  it('close() delivers everything accepted', async () => {
    const s = sink({ batch: { maxPoints: 64, lingerMs: 60_000 } });
    writeN(s, 1000);
    await s.close();
    expect(values().sort((a, b) => Number(a) - Number(b))).toEqual([...Array(1000).keys()]);
  });

  it('learns the server clock offset from server_time_ms', async () => {
    server.setResponder((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, count: req.body.points.length, server_time_ms: Date.now() + 90_000 }));
    });
    const s = sink();
    writeN(s, 1);
    await s.flush();
    expect(Math.abs(s.clock.offsetMs() - 90_000)).toBeLessThan(1000);
  });
});
