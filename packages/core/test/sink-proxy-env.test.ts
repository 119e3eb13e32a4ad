import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink, type Sink, type SinkOptions } from '../src/index.js';
import { makeTestCerts, runBridgeCommand, trackCleanups, writeTempFile, type TestCerts } from '../src/testing/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { startConnectProxy, startTlsFront } from './helpers/connect-proxy.js';
import { startIngestServer } from './helpers/ingest-server.js';
import { captureLogger, fastRetry, KEY, startGateway } from './helpers/ws-sink.js';
import { counterBridge } from './fixtures/counter-bridge.js';

let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
});
afterAll(() => certs.remove());
const cleanups = trackCleanups();

const pem = (file: string) => readFileSync(file);
const CREDENTIALS = 'plant-user:s3cret-pw!';
/** The secret as it could leak: as written, percent-encoded in the URL, or inside the Basic header. */
const LEAKS = ['s3cret-pw', 's3cret-pw%21', Buffer.from(CREDENTIALS).toString('base64')];

function sinkWith(url: string, env: NodeJS.ProcessEnv, options: Partial<SinkOptions> = {}) {
  const { logger, lines } = captureLogger();
  const s: Sink = createSink({
    url, apiKey: KEY, sourceId: 'proxy-env', registry: new Registry(), logger, env,
    retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 200, ...options,
  });
  cleanups.defer(() => s.close());
  return { s, lines, logText: () => JSON.stringify(lines()) };
}

async function proxy(options: Parameters<typeof startConnectProxy>[0] = {}) {
  const p = await startConnectProxy(options);
  cleanups.defer(() => p.close());
  return p;
}

/** An HTTPS ingest server that asks for a client certificate and presents one naming only broker.test. */
async function mtlsIngest() {
  const server = await startIngestServer(undefined, { cert: pem(certs.namedCert), key: pem(certs.namedKey), ca: pem(certs.ca), requestCert: true, rejectUnauthorized: true });
  cleanups.defer(() => server.close());
  return server;
}
const mtls = () => ({ ca: pem(certs.ca), cert: pem(certs.clientCert), key: pem(certs.clientKey), serverName: 'broker.test' });

describe('the sink honours the proxy variables', () => {
  it('https: tunnels through HTTPS_PROXY with credentials, mTLS and server_name inside the tunnel, kept alive; never logs the password', async () => {
    const p = await proxy({ credentials: CREDENTIALS });
    const server = await mtlsIngest();
    const { s, lines, logText } = sinkWith(server.url, { HTTPS_PROXY: p.url('plant-user:s3cret-pw%21') }, { tls: mtls() });
    for (let i = 0; i < 5; i++) {
      s.send('m', i);
      await s.flush();
    }
    expect(server.requests.flatMap((r) => r.body.points.map((pt) => pt.value))).toEqual([0, 1, 2, 3, 4]);
    expect(server.requests.every((r) => r.clientCn === 'fieldbridge-client')).toBe(true);
    expect(p.heads()[0]).toMatch(new RegExp(`^CONNECT 127\\.0\\.0\\.1:${new URL(server.url).port} HTTP/1\\.1\\r\\n`));
    // Every connection the server saw came through the proxy, and one carried all five batches.
    expect(p.tunnels()).toBeGreaterThan(0);
    expect(p.tunnels()).toBe(server.connections());
    expect(p.tunnels()).toBeLessThan(server.requests.length);
    expect(lines().find((l) => /through the proxy/.test(l.msg))?.msg).toBe(`connecting to 127.0.0.1:${new URL(server.url).port} through the proxy http://***@127.0.0.1:${p.port} (from HTTPS_PROXY)`);
    for (const leak of LEAKS) expect(logText()).not.toContain(leak);
  });

  it('lower-case https_proxy wins over HTTPS_PROXY, and http_proxy is not used for https', async () => {
    const used = await proxy();
    const server = await startIngestServer(undefined, { cert: pem(certs.serverCert), key: pem(certs.serverKey) });
    cleanups.defer(() => server.close());
    const { s } = sinkWith(server.url, { https_proxy: used.url(), HTTPS_PROXY: 'http://127.0.0.1:1', http_proxy: 'http://127.0.0.1:1' }, { tls: { ca: pem(certs.ca) } });
    s.send('m', 1);
    await s.flush();
    expect(server.requests).toHaveLength(1);
    expect(used.tunnels()).toBe(server.connections());
  });

  it('ws: tunnels through HTTP_PROXY (then ALL_PROXY) to a gateway', async () => {
    const p = await proxy();
    const gateway = await startGateway();
    const { s } = sinkWith(gateway.wsUrl, { ALL_PROXY: p.url() });
    s.send('m', 1);
    await s.flush();
    expect(gateway.points({ metric: 'm' })).toHaveLength(1);
    expect(p.tunnels()).toBe(1);
  });

  it('wss: tunnels through HTTPS_PROXY, TLS to the server inside the tunnel', async () => {
    const p = await proxy({ credentials: CREDENTIALS });
    const gateway = await startGateway();
    const front = await startTlsFront(Number(new URL(gateway.wsUrl).port), certs.serverCert, certs.serverKey);
    cleanups.defer(() => front.close());
    const { s, logText } = sinkWith(`wss://127.0.0.1:${front.port}${new URL(gateway.wsUrl).pathname}`, { HTTPS_PROXY: p.url('plant-user:s3cret-pw%21') }, { tls: { ca: pem(certs.ca) } });
    s.send('m', 1);
    await s.flush();
    expect(gateway.points({ metric: 'm' })).toHaveLength(1);
    expect(p.tunnels()).toBe(1);
    for (const leak of LEAKS) expect(logText()).not.toContain(leak);
  });

  it('NO_PROXY bypasses the proxy for a host it names, and says so', async () => {
    const p = await proxy();
    const server = await startIngestServer();
    cleanups.defer(() => server.close());
    const { s, lines } = sinkWith(server.url, { HTTP_PROXY: p.url(), NO_PROXY: 'gw.example.com, 127.0.0.0/8' });
    s.send('m', 1);
    await s.flush();
    expect(server.requests).toHaveLength(1);
    expect(p.tunnels()).toBe(0);
    expect(lines().find((l) => /NO_PROXY/.test(l.msg))?.msg).toBe(`connecting directly to 127.0.0.1:${new URL(server.url).port}: NO_PROXY entry 127.0.0.0/8 matches it (HTTP_PROXY not used)`);
  });

  it('a proxy answering 407 is named with its status at the first failure, retried, and nothing is lost', async () => {
    const p = await proxy();
    p.answer(407);
    const server = await startIngestServer();
    cleanups.defer(() => server.close());
    const { s, lines, logText } = sinkWith(server.url, { HTTP_PROXY: p.url('plant-user:s3cret-pw%21') }, { firstSampleWaitMs: 0 });
    const reconnecting: number[] = [];
    s.on('reconnecting', ({ attempt }) => reconnecting.push(attempt));
    s.send('m', 1);
    await waitFor(() => reconnecting.length > 0, 'reconnecting');
    const first = lines().find((l) => /PROXY_REFUSED/.test(l.msg));
    expect(first?.msg).toContain(`PROXY_REFUSED: the proxy http://***@127.0.0.1:${p.port} refused to tunnel to 127.0.0.1:${new URL(server.url).port}: HTTP 407 Proxy Authentication Required (check the user and password in the proxy URL)`);
    expect(s.status().refused).toBe(false);
    expect(s.status().spool.points).toBe(1);
    p.answer('tunnel');
    await s.flush();
    expect(server.requests).toHaveLength(1);
    for (const leak of LEAKS) expect(logText()).not.toContain(leak);
  });

  it('a proxy answering 403 to a WebSocket tunnel is the proxy refusing, not the server refusing the key', async () => {
    const p = await proxy();
    p.answer(403);
    const gateway = await startGateway();
    const { s, lines } = sinkWith(gateway.wsUrl, { http_proxy: p.url() });
    s.send('m', 1);
    await waitFor(() => lines().some((l) => /PROXY_REFUSED/.test(l.msg)), 'the refusal logged');
    expect(lines().find((l) => /PROXY_REFUSED/.test(l.msg))?.msg).toContain(`the proxy http://127.0.0.1:${p.port} refused to tunnel to 127.0.0.1:${new URL(gateway.wsUrl).port}: HTTP 403 Forbidden`);
    expect(s.status().refused).toBe(false);
    p.answer('tunnel');
    await s.flush();
    expect(gateway.points({ metric: 'm' })).toHaveLength(1);
  });

  it('a SOCKS proxy it cannot use is warned about, naming the variable and not the credentials, and the sink connects directly', async () => {
    // Refusing to start would read nothing; running keeps what it reads until the way out works.
    const server = await startIngestServer();
    cleanups.defer(() => server.close());
    const { s, lines, logText } = sinkWith(server.url, { ALL_PROXY: 'socks5://u:s3cret-pw@proxy:1080' });
    expect(lines().find((l) => l.level === 40)?.msg).toBe(
      `ALL_PROXY is socks5://***@proxy:1080: fieldbridge tunnels through HTTP proxies only (http:// or https://), not socks5; set an HTTP proxy for fieldbridge, or add the sink's host to NO_PROXY to connect directly; connecting directly to ${new URL(server.url).host} meanwhile`,
    );
    expect(logText()).not.toContain('s3cret-pw');
    s.write({ metric: 'm', value: 1 });
    await s.flush();
    expect(server.requests.flatMap((r) => r.body.points)).toHaveLength(1);
  });
});

describe('--check says which proxy the sink would use', () => {
  const mapping = (url: string) =>
    writeTempFile(cleanups, 'map.yaml', `source_id: check-proxy\nsink:\n  url: ${url}\ncounter:\n  interval_ms: 20\n  channels:\n    - { name: a, metric: demo.a }\n`);

  it('prints the proxy redacted and its variable, or why there is none', async () => {
    const file = await mapping('https://gw.example.com/ingest');
    const via = await runBridgeCommand(counterBridge, ['--config', file, '--check'], { HTTPS_PROXY: 'http://plant-user:s3cret-pw@proxy.corp:3128' });
    expect(via.code).toBe(0);
    expect(via.out).toContain('  proxy: http://***@proxy.corp:3128 (from HTTPS_PROXY), a CONNECT tunnel\n');
    expect(via.out).not.toContain('s3cret-pw');
    const bypassed = await runBridgeCommand(counterBridge, ['--config', file, '--check'], { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.example.com' });
    expect(bypassed.out).toContain('  proxy: none: NO_PROXY entry .example.com matches (HTTPS_PROXY not used)\n');
    const none = await runBridgeCommand(counterBridge, ['--config', file, '--check'], {});
    expect(none.out).toContain('  proxy: none (no proxy variable set)\n');
  });
});
