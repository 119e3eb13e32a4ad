import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConfigError, createClock, createSink, parseMapping } from '../src/index.js';
import { classifyHttpAnswer } from '../src/transport/http-answer.js';
import { parseServerFrame } from '../src/ws/protocol.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { seededRandom } from '../src/shared/seeded-random.js';

/** A small seeded generator (mulberry32), so a failure names the seed that reproduces it. */
const rng = seededRandom;
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

/** Random and adversarial text: bytes, JSON of odd shapes, deep nesting, huge numbers, control characters. */
function hostileText(r: () => number): string {
  const pick = Math.floor(r() * 7);
  const len = Math.floor(r() * 2000);
  switch (pick) {
    case 0:
      return Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256))).toString('latin1');
    case 1:
      return `${'['.repeat(len * 20)}1${']'.repeat(len * 20)}`;
    case 2:
      return JSON.stringify({ type: ['ack', 'time_sync', 'error', 'ping', 'start_stream', 'configure', 'authenticated', 'x'][Math.floor(r() * 8)], trace_id: r() < 0.5 ? 'x'.repeat(len) : len, t0: r() * 1e300, t1: -1e308, t2: 'NaN', metrics: r() < 0.5 ? ['*'.repeat(len)] : { a: 1 }, interval_ms: -r() * 1e20, code: '\u001b[31m'.repeat(len % 50), detail: 'd'.repeat(len) });
    case 3:
      return JSON.stringify({ error: 'e'.repeat(len * 100), server_time_ms: [1000, 1e15, -1, Number.MAX_VALUE, 1.7e12][Math.floor(r() * 5)], success: r() < 0.5 });
    case 4:
      return `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"type":"ping","id":${len}}`;
    case 5:
      return '\u0000\u0001\u0002\uFFFF\uD800'.repeat(len % 100);
    default:
      return `${r()}`.repeat(len % 300);
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe(`fuzz: peer-facing parsers never throw (seed ${SEED}; FUZZ_SEED reproduces)`, () => {
  it('HTTP answers: random status codes, headers and bodies classify to an answer, bounded', () => {
    const r = rng(SEED);
    const clock = createClock();
    for (let i = 0; i < 3000; i++) {
      const statusCode = Math.floor(r() * 600);
      const text = hostileText(r);
      const headers = { 'retry-after': hostileText(r).slice(0, 40), date: hostileText(r).slice(0, 40), 'x-server-time-ms': hostileText(r).slice(0, 30) };
      const result = classifyHttpAnswer({ statusCode, headers, text, sentAtMs: 0, receivedAtMs: 1, clock, secrets: ['k'] });
      expect(['success', 'retryable', 'server_error', 'too_large', 'rejected', 'unauthorized']).toContain(result.status);
      if ('reason' in result) expect(result.reason.length).toBeLessThan(400);
      if ('retryInMs' in result && result.retryInMs !== undefined) expect(result.retryInMs).toBeLessThanOrEqual(3_600_000);
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Number.isFinite(clock.offsetMs())).toBe(true);
  });

  it('WebSocket frames: random text never throws out of the frame parser', () => {
    const r = rng(SEED + 1);
    for (let i = 0; i < 5000; i++) {
      const frame = parseServerFrame(hostileText(r));
      if (frame !== undefined) expect(typeof frame.type).toBe('string');
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('mapping files: random YAML and bytes are refused as configuration errors, never thrown otherwise', () => {
    const r = rng(SEED + 2);
    const fragments = ['source_id: a\n', 'sink: { url: ', 'http://x/ingest }\n', '&a [*a]\n', '<<: *a\n', 'counter:\n  channels: [{ name: a, metric: m }]\n', '${X:?y}', '- - - -\n', '{{{{', '"\\u0000"\n', 'key: !!binary AAAA\n', 'x: &y\n  <<: *y\n'];
    for (let i = 0; i < 400; i++) {
      const text = r() < 0.3 ? hostileText(r) : Array.from({ length: 1 + Math.floor(r() * 8) }, () => fragments[Math.floor(r() * fragments.length)]).join('');
      try {
        parseMapping(text, 'fuzz.yaml', counterBridge, {});
      } catch (err) {
        expect(err, `seed ${SEED + 2}, case ${i}: ${JSON.stringify(text.slice(0, 200))}`).toBeInstanceOf(ConfigError);
      }
    }
  });

  it('a WebSocket server sending garbage between real frames: the sink survives and still delivers', async () => {
    const r = rng(SEED + 3);
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const stored: unknown[] = [];
    wss.on('connection', (socket: WebSocket) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; trace_id?: string; points?: unknown[] };
        if (frame.type === 'device_auth') {
          socket.send(JSON.stringify({ type: 'authenticated', source_id: 'fuzz', server_time_ms: Date.now(), extensions: ['ack'] }));
          for (let i = 0; i < 300; i++) socket.send(r() < 0.1 ? Buffer.from(hostileText(r)) : hostileText(r));
        }
        if (frame.type === 'telemetry') {
          stored.push(...(frame.points ?? []));
          socket.send(JSON.stringify({ type: 'ack', trace_id: frame.trace_id }));
        }
      });
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const sink = createSink({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/device`, apiKey: 'k', sourceId: 'fuzz', logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', retry: { initialDelayMs: 5, maxDelayMs: 20 } });
    cleanups.push(() => sink.close());
    for (let i = 0; i < 100; i++) sink.send('fuzz.value', i, { timestamp: 1_700_000_000_000 + i });
    await sink.flush({ timeoutMs: 20_000 });
    expect(new Set(stored.map((p) => (p as { value: number }).value)).size).toBe(100);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('an HTTP receiver answering garbage: the sink survives, keeps the data, and delivers once it answers properly', async () => {
    const r = rng(SEED + 4);
    let posts = 0;
    const stored: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('latin1')));
      req.on('end', () => {
        if (req.method === 'HEAD') return res.writeHead(200).end();
        posts += 1;
        if (posts <= 40) {
          const status = [200, 201, 400, 401, 404, 413, 429, 500, 503, 302][Math.floor(r() * 10)]!;
          // Garbage, but never a plausible success: a 2xx carries success:false.
          const text = status < 300 ? '{"success":false}' : hostileText(r);
          return res.writeHead(status, { 'retry-after': r() < 0.5 ? '0' : 'soon' }).end(text);
        }
        const decoded = req.headers['content-encoding'] === 'gzip' ? '' : body;
        if (decoded) stored.push(...(JSON.parse(decoded) as { points: unknown[] }).points);
        res.writeHead(200).end('{"success":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const sink = createSink({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, sourceId: 'fuzz', apiKey: 'k', gzip: false, logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', retry: { initialDelayMs: 1, maxDelayMs: 5, authProbeIntervalMs: 5, maxServerErrorAttempts: 1000 } });
    cleanups.push(() => sink.close());
    for (let i = 0; i < 50; i++) sink.send('fuzz.http', i, { timestamp: 1_700_000_000_000 + i });
    await expect(sink.flush({ timeoutMs: 20_000 })).resolves.toBeUndefined();
    expect(posts).toBeGreaterThan(40);
  });
});
