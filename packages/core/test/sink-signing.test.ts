import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSink, parseMapping, signFrame, signPayload, type Sink, type SinkOptions } from '../src/index.js';
import { formatCheck } from '../src/cli/print-check.js';
import { startFaultProxy, trackCleanups, until } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { captureLogger, KEY, startGateway, tempDir } from './helpers/ws-sink.js';

const SECRET = 'sink-signing-test-secret-4f2a9c';
const track = trackCleanups();
const T0 = 1_700_000_000_000;

function signedSink(url: string, o: Partial<SinkOptions> = {}): Sink {
  return track.add(
    createSink({
      url,
      apiKey: KEY,
      sourceId: 'signed-sink',
      signing: { secret: SECRET },
      batch: { maxPoints: 100, lingerMs: 10 },
      retry: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, authProbeIntervalMs: 50 },
      deadLetterPath: '/dev/null',
      ...o,
    }),
    (s) => s.close(),
  );
}

/** The receiver's check as the README shows it, written from the specification. */
function receiverAccepts(header: string, body: Buffer, secret: string, nowS: number, toleranceS = 300): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.`).update(body).digest('hex');
  return expected === m[2] && Math.abs(nowS - Number(m[1])) <= toleranceS;
}

describe('signed batches over HTTP', () => {
  it('the signature is HMAC-SHA256 over "<t>." and the exact bytes, as a receiver checks it', () => {
    const body = Buffer.from('{"source_id":"a","points":[]}');
    const header = signPayload(SECRET, body, T0);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(receiverAccepts(header, body, SECRET, 1_700_000_000)).toBe(true);
    expect(receiverAccepts(header, Buffer.from(`${body} `), SECRET, 1_700_000_000)).toBe(false);
    expect(receiverAccepts(header, body, `${SECRET}x`, 1_700_000_000)).toBe(false);
    expect(receiverAccepts(header, body, SECRET, 1_700_000_301)).toBe(false);
    const frame = '{"type":"telemetry","trace_id":"b1","points":[]}';
    const signed = signFrame(SECRET, frame, T0);
    const m = /^\{"signature":"(t=\d+,v1=[0-9a-f]{64})",/.exec(signed)!;
    expect(JSON.parse(signed)).toEqual({ signature: m[1], type: 'telemetry', trace_id: 'b1', points: [] });
    expect(receiverAccepts(m[1]!, Buffer.from(`{${signed.slice(m[0].length)}`), SECRET, 1_700_000_000)).toBe(true);
  });

  it('gateway-dev accepts a signed sink\'s batches, gzipped or not', async () => {
    const gw = await startGateway({ signingSecret: SECRET });
    const s = signedSink(gw.url);
    for (let i = 0; i < 300; i++) s.send('line1.rpm', 1000 + i, { timestamp: T0 + i, tags: { line: 'l1', unit: 'rpm' } });
    await s.flush();
    s.send('one', 1, { timestamp: T0 });
    await s.flush();
    expect(gw.points()).toHaveLength(301);
    expect(gw.stats().signatureRefusals).toEqual({ missing: 0, malformed: 0, mismatch: 0, stale: 0 });
  });

  it('a wrong secret is refused with 401: nothing is lost, the sink says so without the secret', async () => {
    const gw = await startGateway({ signingSecret: 'the-gateway-has-another-secret' });
    const { logger, lines } = captureLogger();
    const registry = new Registry();
    const dir = tempDir();
    const s = signedSink(gw.url, { logger, registry, buffer: { path: join(dir, 'spool') } });
    s.send('m', 1, { timestamp: T0 });
    await until(() => s.status().refused, 'the sink to see the refusal');
    expect(s.status().spool.points).toBe(1);
    expect(gw.stats().signatureRefusals.mismatch).toBeGreaterThanOrEqual(1);
    expect(lines().some((l) => /401.*does not match the body/.test(JSON.stringify(l)))).toBe(true);
    await s.close();
    const logged = JSON.stringify(lines());
    expect(logged).not.toContain(SECRET);
    expect(await registry.metrics()).not.toContain(SECRET);
    for (const file of readdirSync(join(dir, 'spool'))) expect(readFileSync(join(dir, 'spool', file)).includes(SECRET)).toBe(false);
  });

  it('a request captured on the way is refused when its body is changed, and when replayed after the window', async () => {
    const gw = await startGateway({ signingSecret: SECRET, signatureToleranceS: 60 });
    let wire = Buffer.alloc(0);
    const proxy = track.add(await startFaultProxy({ target: { port: gw.port }, toServer: (chunk) => (wire = Buffer.concat([wire, chunk])) }), (p) => p.close());
    const s = signedSink(`http://127.0.0.1:${proxy.port}/ingest`);
    for (let i = 0; i < 200; i++) s.send('line1.rpm', i, { timestamp: T0 + i });
    await s.flush();
    const captured = capturedPost(wire);
    expect(captured.headers['x-fieldbridge-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(captured.headers['content-encoding']).toBe('gzip');

    const replay = (body: Buffer) => request(gw.url, { method: 'POST', headers: captured.headers, body }).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }));
    expect((await replay(captured.body)).status).toBe(200);
    expect(gw.stats().duplicateBatches).toBe(1);
    const changed = Buffer.from(captured.body);
    changed[changed.length - 12]! ^= 0x01;
    expect(await replay(changed)).toMatchObject({ status: 401, text: expect.stringMatching(/does not match the body/) });
    gw.setClockOffsetMs(61_000);
    expect(await replay(captured.body)).toMatchObject({ status: 401, text: expect.stringMatching(/outside the 60 s window: a replay/) });
    expect(gw.stats().signatureRefusals).toMatchObject({ mismatch: 1, stale: 1 });
  });
});

describe('signed telemetry frames over WebSocket', () => {
  it('gateway-dev announces the extension, checks every frame and acks it', async () => {
    const gw = await startGateway({ signingSecret: SECRET });
    const { logger, lines } = captureLogger();
    const s = signedSink(gw.wsUrl, { logger });
    for (let i = 0; i < 50; i++) s.send('ws.signed', i, { timestamp: T0 + i });
    await s.flush();
    expect(gw.points({ metric: 'ws.signed' })).toHaveLength(50);
    expect(gw.stats().signatureRefusals).toEqual({ missing: 0, malformed: 0, mismatch: 0, stale: 0 });
    expect(lines().some((l) => /does not announce the signature extension/.test(l.msg))).toBe(false);
  });

  it('a wrong secret: every frame is refused as unauthorized, and the points stay spooled', async () => {
    const gw = await startGateway({ signingSecret: 'the-gateway-has-another-secret' });
    const { logger, lines } = captureLogger();
    const s = signedSink(gw.wsUrl, { logger });
    s.send('ws.signed', 1, { timestamp: T0 });
    await until(() => s.status().refused, 'the sink to see the refusal');
    expect(s.status().spool.points).toBe(1);
    expect(gw.points()).toHaveLength(0);
    expect(gw.stats().signatureRefusals.mismatch).toBeGreaterThanOrEqual(1);
    await s.close();
    expect(JSON.stringify(lines())).not.toContain(SECRET);
  });

  it('says once that a server without the extension may not check the signatures', async () => {
    const gw = await startGateway();
    const { logger, lines } = captureLogger();
    const s = signedSink(gw.wsUrl, { logger });
    s.send('m', 1, { timestamp: T0 });
    await s.flush();
    expect(lines().filter((l) => /does not announce the signature extension/.test(l.msg))).toHaveLength(1);
  });
});

describe('the secret is never printed', () => {
  it('--check hides it, and a short one is refused without showing it', () => {
    const text = `source_id: a\nsink:\n  url: https://gw.example.com/ingest\n  signing: { secret: "\${FIELDBRIDGE_SIGNING_SECRET}" }\ncounter:\n  channels: [{ name: a, metric: m }]\n`;
    const config = parseMapping(text, 'map.yaml', counterBridge, { FIELDBRIDGE_SIGNING_SECRET: SECRET });
    const out = formatCheck(counterBridge, 'map.yaml', config);
    expect(out).toContain('"signing":{"secret":"***"}');
    expect(out).not.toContain(SECRET);
    expect(() => parseMapping(text, 'map.yaml', counterBridge, { FIELDBRIDGE_SIGNING_SECRET: 'Xq9-tiny' })).toThrow(/map.yaml:4:22 sink.signing.secret: at least 16 characters/);
    expect(() => parseMapping(text, 'map.yaml', counterBridge, { FIELDBRIDGE_SIGNING_SECRET: 'Xq9-tiny' })).not.toThrow(/Xq9-tiny/);
  });
});

/** The first POST in the bytes a client sent: its headers (lower case) and its body. */
function capturedPost(wire: Buffer): { headers: Record<string, string>; body: Buffer } {
  const start = wire.indexOf('POST ');
  const end = wire.indexOf('\r\n\r\n', start);
  const lines = wire.subarray(start, end).toString('latin1').split('\r\n').slice(1);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    if (!['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = line.slice(i + 1).trim();
  }
  const length = Number(/content-length:\s*(\d+)/i.exec(lines.join('\n'))![1]);
  return { headers, body: Buffer.from(wire.subarray(end + 4, end + 4 + length)) };
}
