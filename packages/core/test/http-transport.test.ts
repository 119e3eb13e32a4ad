import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock, createHttpTransport, createSink, type Transport } from '../src/index.js';
import { encodeBatch } from '../src/shared/batch-codec.js';
import { makeTestCerts, trackCleanups, type TestCerts } from '../src/testing/index.js';
import { startIngestServer } from './helpers/ingest-server.js';
import { startConnectProxy } from './helpers/connect-proxy.js';
import { isFieldbridgeError } from '../src/errors.js';

const T0 = 1_700_000_000_000;
const cleanups = trackCleanups();
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
});
afterAll(async () => certs.remove());

const pem = (path: string): Buffer => readFileSync(path);
const batchOf = (n: number) =>
  encodeBatch({ id: `b-${n}`, createdAtMs: T0, points: Array.from({ length: n }, (_, i) => ({ metric: 'm', value: i, timestamp: T0 + i })) }, { sourceId: 't', gzipLevel: 1 });

async function httpsServer(options: { cert?: string; key?: string; requireClientCert?: boolean } = {}) {
  const server = await startIngestServer(undefined, {
    cert: pem(options.cert ?? certs.serverCert),
    key: pem(options.key ?? certs.serverKey),
    ...(options.requireClientCert ? { ca: pem(certs.ca), requestCert: true, rejectUnauthorized: true } : {}),
  });
  cleanups.defer(() => server.close());
  return server;
}

function transport(url: string, tls?: Parameters<typeof createHttpTransport>[0]['tls']): Transport {
  const t = createHttpTransport({ url, sourceId: 't', clock: createClock(), ...(tls ? { tls } : {}) });
  cleanups.defer(() => t.shutdown());
  return t;
}

/** A TCP server that accepts and reads but never answers; counts the connections made and closed. */
async function silentServer(): Promise<{ url: string; closed: () => number; connections: () => number; server: Server }> {
  let closed = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => {
      closed += 1;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, closed: () => closed, connections: () => connections, server };
}

describe('HTTP transport (node:http, keep-alive)', () => {
  it('sends batch after batch over one kept-alive connection', async () => {
    const server = await startIngestServer();
    cleanups.defer(() => server.close());
    const t = transport(server.url);
    for (let i = 0; i < 20; i++) expect(await t.send(batchOf(50), { timeoutMs: 5000 })).toEqual({ status: 'success' });
    expect(server.requests).toHaveLength(20);
    expect(server.requests[0]!.headers['content-length']).toBe(String(server.requests[0]!.wireBytes));
    expect(server.connections()).toBe(1);
  });

  it('a receiver that never answers costs the request, not the connection pool: "no answer within" and the socket closed', async () => {
    const silent = await silentServer();
    const t = transport(silent.url);
    expect(await t.send(batchOf(10), { timeoutMs: 200 })).toEqual({ status: 'retryable', reason: 'no answer within 200 ms' });
    await expect.poll(silent.closed).toBe(1);
  });

  it('a stop signal aborts a request in flight at once', async () => {
    const silent = await silentServer();
    const t = transport(silent.url);
    const stop = new AbortController();
    const sending = t.send(batchOf(10), { timeoutMs: 60_000, signal: stop.signal });
    stop.abort();
    expect(await sending).toEqual({ status: 'retryable', reason: 'aborted' });
  });

  it('one stop signal ends every request in flight, those on a connection and those waiting for one', async () => {
    const silent = await silentServer();
    const t = transport(silent.url);
    const stop = new AbortController();
    // The transport keeps at most 8 connections: the last four wait in the agent's queue.
    const sending = Array.from({ length: 12 }, () => t.send(batchOf(10), { timeoutMs: 60_000, signal: stop.signal }));
    await expect.poll(silent.connections).toBe(8);
    stop.abort();
    expect(await Promise.all(sending)).toEqual(Array.from({ length: 12 }, () => ({ status: 'retryable', reason: 'aborted' })));
    // Once stopped, a send ends at once, without a connection.
    expect(await t.send(batchOf(10), { timeoutMs: 60_000, signal: stop.signal })).toEqual({ status: 'retryable', reason: 'aborted' });
    expect(silent.connections()).toBe(8);
  });

  it('a refused connection is retryable and named', async () => {
    const silent = await silentServer();
    await new Promise<void>((resolve) => silent.server.close(() => resolve()));
    const result = await transport(silent.url).send(batchOf(10), { timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^ECONNREFUSED/) });
  });
});

describe('HTTPS with a private CA and a client certificate', () => {
  it('delivers through the sink: the server sees our client certificate', async () => {
    const server = await httpsServer({ requireClientCert: true });
    const sink = createSink({
      url: server.url,
      sourceId: 'tls-test',
      logger: pino({ level: 'silent' }),
      deadLetterPath: '/dev/null',
      tls: { ca: pem(certs.ca), cert: pem(certs.clientCert), key: pem(certs.clientKey) },
    });
    cleanups.defer(() => sink.close());
    for (let i = 0; i < 100; i++) sink.send('m', i, { timestamp: T0 + i });
    await sink.flush({ timeoutMs: 10_000 });
    expect(server.requests.flatMap((r) => r.body.points)).toHaveLength(100);
    expect(server.requests.every((r) => r.clientCn === 'fieldbridge-client')).toBe(true);
  });

  it('a server signed by another CA is refused, and the reason says why', async () => {
    const server = await httpsServer();
    const result = await transport(server.url, { ca: pem(certs.otherCa) }).send(batchOf(10), { timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/certificate/i) });
    expect(server.requests).toHaveLength(0);
  });

  it('without the client certificate the server refuses the handshake', async () => {
    const server = await httpsServer({ requireClientCert: true });
    const result = await transport(server.url, { ca: pem(certs.ca) }).send(batchOf(10), { timeoutMs: 5000 });
    expect(result.status).toBe('retryable');
    expect(server.requests).toHaveLength(0);
  });

  it('serverName checks a certificate that names another host; verify: false skips the check', async () => {
    const server = await httpsServer({ cert: certs.namedCert, key: certs.namedKey });
    expect(await transport(server.url, { ca: pem(certs.ca) }).send(batchOf(10), { timeoutMs: 5000 })).toMatchObject({
      status: 'retryable',
      reason: expect.stringMatching(/altnames|does not match/i),
    });
    expect(await transport(server.url, { ca: pem(certs.ca), serverName: 'broker.test' }).send(batchOf(10), { timeoutMs: 5000 })).toEqual({ status: 'success' });
    expect(await transport(server.url, { verify: false }).send(batchOf(10), { timeoutMs: 5000 })).toEqual({ status: 'success' });
  });
});

describe('through an HTTP proxy (CONNECT)', () => {
  const via = (url: string, proxy: string, tls?: Parameters<typeof createHttpTransport>[0]['tls']): Transport => {
    const t = createHttpTransport({ url, sourceId: 't', clock: createClock(), proxy, ...(tls ? { tls } : {}) });
    cleanups.defer(() => t.shutdown());
    return t;
  };

  it('sends batch after batch through one kept-alive tunnel, TLS to the receiver inside it', async () => {
    const proxy = cleanups.add(await startConnectProxy(), (p) => p.close());
    const server = await httpsServer();
    const t = via(server.url, proxy.url(), { ca: pem(certs.ca) });
    for (let i = 0; i < 20; i++) expect(await t.send(batchOf(50), { timeoutMs: 5000 })).toEqual({ status: 'success' });
    expect(server.requests).toHaveLength(20);
    expect(proxy.tunnels()).toBe(1);
    expect(server.connections()).toBe(1);
  });

  it('a proxy that never answers CONNECT: a stop signal ends the send at once', async () => {
    const silent = await silentServer();
    const t = via('https://gw.example.com/ingest', silent.url.replace('/ingest', ''));
    const stop = new AbortController();
    const sending = t.send(batchOf(10), { timeoutMs: 60_000, signal: stop.signal });
    await expect.poll(silent.connections).toBe(1);
    const abortedAt = performance.now();
    stop.abort();
    expect(await sending).toEqual({ status: 'retryable', reason: 'aborted' });
    // At once, not when the tunnel gives up on its own (10 s), and the half-open tunnel is closed.
    expect(performance.now() - abortedAt).toBeLessThan(5000);
    await expect.poll(silent.closed).toBe(1);
  });

  it('a proxy that is not there is named, and retryable', async () => {
    const silent = await silentServer();
    await new Promise<void>((resolve) => silent.server.close(() => resolve()));
    const proxy = silent.url.replace('/ingest', '');
    const result = await via('https://gw.example.com/ingest', proxy).send(batchOf(10), { timeoutMs: 5000 });
    expect(result).toEqual({ status: 'retryable', reason: `PROXY_FAILED: cannot reach the proxy ${proxy} (ECONNREFUSED)` });
  });

  it('a proxy refusing with 502 is named with its status, and retryable', async () => {
    const proxy = cleanups.add(await startConnectProxy(), (p) => p.close());
    proxy.answer(502);
    const result = await via('https://gw.example.com/ingest', proxy.url()).send(batchOf(10), { timeoutMs: 5000 });
    expect(result).toEqual({
      status: 'retryable',
      reason: `PROXY_REFUSED: the proxy ${proxy.url()} refused to tunnel to gw.example.com:443: HTTP 502 Bad Gateway (the proxy could not reach gw.example.com:443)`,
    });
  });

  it('takes a proxy or an agent, not both', () => {
    let err: unknown;
    try {
      createHttpTransport({ url: 'https://gw.example.com/ingest', sourceId: 't', clock: createClock(), proxy: 'http://proxy:3128', agent: new HttpsAgent() });
    } catch (e) {
      err = e;
    }
    expect(isFieldbridgeError(err, 'OPTIONS_INVALID')).toBe(true);
  });
});
