import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClock, createWsTransport } from '../src/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { captureLogger, metric, startGateway, tempDir, wsSink } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;
const stateOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8')) as Record<string, string>;

describe('WebSocket sink: handshake and identity', () => {
  it('authenticates with a stable install_id, the platform and version, and delivers over the socket', async () => {
    const gateway = await startGateway();
    const dir = tempDir();
    const s = wsSink(gateway, { buffer: { path: dir }, agentVersion: 'bridge-test/1.2.3' });
    for (let i = 0; i < 5; i++) s.send('m', i, { timestamp: T0 + i });
    await s.flush();
    const [device] = gateway.devices();
    expect(device).toMatchObject({
      sourceId: 'ws-test',
      installId: stateOf(dir).install_id,
      platform: `${process.platform}-${process.arch}`,
      agentVersion: 'bridge-test/1.2.3',
    });
    expect(gateway.points().map((p) => [p.value, p.source_id])).toEqual([0, 1, 2, 3, 4].map((v) => [v, 'ws-test']));
    expect(gateway.points()[0]!.batch_id).toMatch(/^[0-9a-z]+-[0-9a-f]{16}$/);
    expect(await metric(s.registry, 'fieldbridge_ws_connected')).toBe(1);
    expect(await metric(s.registry, 'fieldbridge_ws_delivery_guarantee', { mode: 'at_least_once' })).toBe(1);
  });

  it('adopts the source id the server assigns, keeps it across reconnects, and persists it across a restart', async () => {
    const gateway = await startGateway();
    const rival = wsSink(gateway, { sourceId: 'bridge-a', buffer: { path: tempDir() } });
    rival.send('rival', 1, { timestamp: T0 });
    await rival.flush();
    const dir = tempDir();
    const first = wsSink(gateway, { sourceId: 'bridge-a', buffer: { path: dir } });
    first.send('m', 1, { timestamp: T0 });
    await first.flush();
    expect(first.sourceId).toBe('bridge-a-2');
    expect(gateway.points({ metric: 'm' })[0]!.source_id).toBe('bridge-a-2');
    expect(stateOf(dir)).toMatchObject({ requested_source_id: 'bridge-a', source_id: 'bridge-a-2' });
    const installId = stateOf(dir).install_id;

    expect(gateway.disconnectDevices('bridge-a-2')).toBe(1);
    const back = await waitFor(() => gateway.devices().find((d) => d.sourceId === 'bridge-a-2'), 'reconnect');
    expect(back).toMatchObject({ requestedSourceId: 'bridge-a-2', installId });

    await first.close();
    const second = wsSink(gateway, { sourceId: 'bridge-a', buffer: { path: dir } });
    expect(second.sourceId).toBe('bridge-a-2');
    second.send('m', 2, { timestamp: T0 + 1 });
    await second.flush();
    expect(gateway.devices().find((d) => d.installId === installId)).toMatchObject({ sourceId: 'bridge-a-2', requestedSourceId: 'bridge-a-2' });
    expect(gateway.points({ metric: 'm' }).map((p) => p.source_id)).toEqual(['bridge-a-2', 'bridge-a-2']);
  });

  it('asks for a new configured source id, keeping the install id', async () => {
    const gateway = await startGateway();
    const dir = tempDir();
    const first = wsSink(gateway, { sourceId: 'old-name', buffer: { path: dir } });
    await first.flush();
    const installId = stateOf(dir).install_id;
    await first.close();
    const second = wsSink(gateway, { sourceId: 'new-name', buffer: { path: dir } });
    second.send('m', 1, { timestamp: T0 });
    await second.flush();
    expect(stateOf(dir)).toEqual({ install_id: installId, requested_source_id: 'new-name', source_id: 'new-name' });
    expect(gateway.points()[0]!.source_id).toBe('new-name');
  });

  it('without a state directory keeps the identity in memory and says so', async () => {
    const gateway = await startGateway();
    const { logger, lines } = captureLogger();
    wsSink(gateway, { logger });
    await waitFor(() => gateway.devices().length === 1, 'connected');
    expect(lines().find((l) => /no state directory/.test(l.msg))).toMatchObject({ level: 40 });
    expect(gateway.devices()[0]!.installId).toBe(lines().find((l) => /no state directory/.test(l.msg))!.install_id);
  });

  it('an auth error stops sending, keeps the data spooled, says so clearly and backs off', async () => {
    const gateway = await startGateway();
    const { logger, lines } = captureLogger();
    const s = wsSink(gateway, { apiKey: 'wrong', logger });
    const started = performance.now();
    s.send('m', 1, { timestamp: T0 });
    s.send('m', 2, { timestamp: T0 + 1 });
    await expect(s.flush({ timeoutMs: 400 })).rejects.toMatchObject({ code: 'FLUSH_TIMEOUT' });
    expect(s.status()).toMatchObject({ refused: true, spool: { points: 2 } });
    expect(gateway.points()).toEqual([]);
    const refusal = lines().filter((l) => /refused device_auth \(unauthorized: invalid API key\)/.test(l.msg));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]!.msg).toMatch(/Nothing is lost.*Fix sink\.api_key/);
    // One attempt per auth probe interval (100 ms here), not a tight loop.
    const attempts = await metric(s.registry, 'fieldbridge_ws_connects_total', { result: 'refused' });
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual((performance.now() - started) / 100 + 2);
  });

  it('sends heartbeats with uptime_s', async () => {
    const gateway = await startGateway();
    wsSink(gateway, { websocket: { heartbeatMs: 20 } });
    await waitFor(() => (gateway.devices()[0]?.heartbeats ?? 0) >= 2, 'two heartbeats');
    expect(gateway.devices()[0]!.uptimeS).toEqual(expect.any(Number));
  });

  it('reconnects when pongs stop coming (a dead connection)', async () => {
    const gateway = await startGateway({ wsDelayMs: { toServer: 150 } });
    const { logger, lines } = captureLogger();
    const s = wsSink(gateway, { logger, websocket: { heartbeatMs: 30 } });
    await waitFor(() => lines().find((l) => /no pong within 60 ms/.test(String(l.msg))), 'dead connection detected');
    expect(await metric(s.registry, 'fieldbridge_ws_connects_total', { result: 'authenticated' })).toBeGreaterThanOrEqual(1);
  });

  it('splits a batch over the frame limit into frames with derived trace ids', async () => {
    const gateway = await startGateway();
    const s = wsSink(gateway, { websocket: { maxFrameBytes: 2048 }, batch: { maxPoints: 100, lingerMs: 60_000 } });
    for (let i = 0; i < 100; i++) s.send('split.metric.with.a.long.name', i, { timestamp: T0 + i });
    await s.flush();
    const points = gateway.points();
    expect(points.map((p) => p.value)).toEqual([...Array(100).keys()]);
    const ids = [...new Set(points.map((p) => p.batch_id!))];
    expect(ids.length).toBeGreaterThan(2);
    const parent = ids[0]!.replace(/\.p1$/, '');
    expect(ids).toEqual(ids.map((_, i) => `${parent}.p${i + 1}`));
    expect(await metric(s.registry, 'fieldbridge_batches_total', { result: 'success' })).toBe(1);
  });
});

describe('WebSocket transport: a server that never answers the upgrade', () => {
  it('is said as such, with the wait, where the ws library says only "Opening handshake has timed out"', async () => {
    // Accepts the TCP connection and reads the upgrade request, answering nothing.
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const reasons: string[] = [];
    const transport = createWsTransport({
      url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/ws/device`,
      sourceId: 'ws-test',
      clock: createClock(),
      authTimeoutMs: 200,
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 },
      connection: { up() {}, down: (reason) => reasons.push(reason), retrying() {}, refused() {} },
    });
    try {
      await waitFor(() => reasons.length > 0, 'the failed attempt');
      expect(reasons[0]).toBe('no answer to the WebSocket upgrade within 200 ms (is sink.url a WebSocket device endpoint? a proxy or load balancer may be holding the request)');
    } finally {
      await transport.shutdown();
      silent.close();
    }
  });
});
