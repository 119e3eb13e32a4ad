import { EventEmitter } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectOpcua } from '../src/client.js';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { FAST_RECONNECT, nextEvent } from './helpers/connection-events.js';
import { collector } from './helpers/collect.js';
import { capturingLogger } from './helpers/logger.js';
import { startProxy } from './helpers/proxy.js';
import { nsu, restartOn } from './helpers/servers.js';
import { refusal } from './helpers/refusal.js';

const cleanup = createCleanup();
const serverPki = cleanup.dir('server');
const clientPki = cleanup.dir('client');
afterAll(() => cleanup.run());


describe('a server restarted mid-run', () => {
  let server: OpcuaTestServer;
  beforeAll(async () => {
    server = await startOpcuaServer({ pkiDir: serverPki });
  });

  it('is reconnected, the items re-created, values resume and the gap is counted', async () => {
    // node-opcua's delivery of each value to its item object stays off, on the re-created items too
    // (the bridge reads the raw notifications; that delivery only cost CPU).
    const emit = EventEmitter.prototype.emit;
    let itemEvents = 0;
    const spy = vi.spyOn(EventEmitter.prototype, 'emit').mockImplementation(function (this: object, name: unknown, ...args: unknown[]) {
      if (name === 'changed' && 'monitoringParameters' in this) itemEvents += 1;
      return emit.call(this, name as string | symbol, ...args);
    });
    cleanup.add(() => spy.mockRestore());
    const connection = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT });
    cleanup.add(() => connection.close());
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      variables: [
        { key: 'counter', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0 },
        { key: 'pressure', browsePath: 'Boiler/Pressure', samplingIntervalMs: 0 },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    server.set('Boiler.Counter', 11);
    await c.value((v) => v.value === 11);

    const lost = nextEvent(connection, 'lost');
    const restored = nextEvent(connection, 'restored');
    const port = server.port;
    await server.stop();
    await lost;
    expect(connection.state()).toBe('reconnecting');
    server = await restartOn(port, { pkiDir: serverPki });
    cleanup.add(() => server.stop());
    const event = await restored;
    expect(event).toMatchObject({ type: 'restored', sessionRecreated: true, namespacesChanged: false });
    expect(event.type === 'restored' && event.gapMs).toBeGreaterThan(0);
    expect(connection.stats()).toMatchObject({ reconnects: 1 });

    server.set('Boiler.Counter', 12);
    server.set('Boiler.Pressure', 2.5);
    await c.value((v) => v.item.key === 'counter' && v.value === 12);
    await c.value((v) => v.item.key === 'pressure' && v.value === 2.5);
    expect(sub.stats()).toMatchObject({ active: 2, refused: 0 });
    expect(itemEvents).toBe(0);
  });

  it('with its namespaces in another order: nsu= items follow their namespace, ns= items keep their index', async () => {
    const connection = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT });
    cleanup.add(() => connection.close());
    const index = server.namespaceIndex;
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      variables: [
        { key: 'byUri', nodeId: nsu('Boiler.Pressure'), samplingIntervalMs: 0 },
        { key: 'byIndex', nodeId: `ns=${index};s=Boiler.Pressure`, samplingIntervalMs: 0 },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'byIndex');

    const changed = nextEvent(connection, 'namespaces_changed');
    const restored = nextEvent(connection, 'restored');
    const port = server.port;
    await server.stop();
    server = await restartOn(port, { pkiDir: serverPki, namespacesBefore: ['urn:other:a', 'urn:other:b'] });
    cleanup.add(() => server.stop());
    expect(server.namespaceIndex).toBe(index + 2);
    const moved = await changed;
    expect(moved.type === 'namespaces_changed' && moved.after.indexOf(SIM_NAMESPACE)).toBe(index + 2);
    expect(await restored).toMatchObject({ namespacesChanged: true });

    server.set('Boiler.Pressure', 3.25);
    const value = await c.value((v) => v.item.key === 'byUri' && v.value === 3.25);
    expect(value.item.nodeId).toBe(nsu('Boiler.Pressure'));
    const problem = await c.problem((p) => p.item === 'byIndex');
    expect(problem).toMatchObject({ kind: 'item_refused' });
    expect(problem.message).toContain(`ns=${index};s=Boiler.Pressure`);
    expect(connection.namespaces()).toEqual(moved.type === 'namespaces_changed' ? moved.after : []);
  });

  it('keeps a flow-control hold across the restart, which node-opcua lifts when it re-creates the session', async () => {
    const connection = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT });
    cleanup.add(() => connection.close());
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: [{ key: 'counter', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'counter');
    sub.flow.hold();
    const restored = nextEvent(connection, 'restored');
    const port = server.port;
    await server.stop();
    server = await restartOn(port, { pkiDir: serverPki });
    cleanup.add(() => server.stop());
    expect(await restored).toMatchObject({ sessionRecreated: true });
    const engine = (connection.session as unknown as { getPublishEngine(): { isSuspended: boolean } }).getPublishEngine();
    expect(engine.isSuspended).toBe(true);
    sub.flow.release();
    expect(engine.isSuspended).toBe(false);
    server.set('Boiler.Counter', 8080);
    await c.value((v) => v.value === 8080);
  });
});

describe('network trouble between client and server (a TCP proxy)', () => {
  let server: OpcuaTestServer;
  beforeAll(async () => {
    server = await startOpcuaServer({ pkiDir: serverPki });
    cleanup.add(() => server.stop());
  });

  it('notices a frozen server through the keep-alive, and recovers', async () => {
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    const connection = await connectOpcua({ endpointUrl: proxy.url, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT });
    cleanup.add(() => connection.close());
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 100, variables: [{ key: 'counter', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'counter');

    const lost = nextEvent(connection, 'lost');
    proxy.freeze();
    await lost;
    // Reconnect attempts into a hung server wait for their transport timeout; a refusing
    // network lets them fail fast, so the test does not wait for that timeout.
    const restored = nextEvent(connection, 'restored');
    proxy.cut();
    proxy.open();
    await restored;
    server.set('Boiler.Counter', 777);
    await c.value((v) => v.value === 777);
  });

  it('recovers from a network cut with every item', async () => {
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    const connection = await connectOpcua({ endpointUrl: proxy.url, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT });
    cleanup.add(() => connection.close());
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, folders: [{ key: 'line', browsePath: 'Line1', samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'line');
    const lost = nextEvent(connection, 'lost');
    const restored = nextEvent(connection, 'restored');
    proxy.cut();
    await lost;
    proxy.open();
    await restored;
    server.set('Line1.Motor3.Speed', 3333);
    expect((await c.value((v) => v.value === 3333)).item.browsePath).toEqual(['Motor3', 'Speed']);
    expect(sub.stats()).toMatchObject({ active: 6, refused: 0 });
  });

  it('closes at once while reconnecting', async () => {
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    const connection = await connectOpcua({ endpointUrl: proxy.url, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT });
    const lost = nextEvent(connection, 'lost');
    proxy.cut();
    await lost;
    const closed = nextEvent(connection, 'closed');
    await connection.close();
    await closed;
    expect(connection.state()).toBe('closed');
    await connection.close();
  });

  it('fails a first connect to a dead port at once, saying so', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = await refusal(connectOpcua({ endpointUrl: `opc.tcp://127.0.0.1:${port}`, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT }));
    expect(refused).toMatchObject({ code: 'CONNECT_FAILED', retryable: true });
    expect(refused.message).toBe(`nothing accepts connections at opc.tcp://127.0.0.1:${port} (connection refused): is the server running, and is the port right?`);
  });

  it('fails a first connect to a server that never answers within the connect timeout', async () => {
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    proxy.freeze();
    const refused = await refusal(connectOpcua({ endpointUrl: proxy.url, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT, connectTimeoutMs: 800 }));
    expect(refused).toMatchObject({ code: 'CONNECT_FAILED', retryable: true });
    expect(refused.message).toMatch(/no answer from opc\.tcp:\/\/127\.0\.0\.1:\d+ within 800 ms during the discover step/);
  });

  it('stops a connect in progress at once when asked', async () => {
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    proxy.freeze();
    const abort = new AbortController();
    const accepted = proxy.nextAccept();
    const connecting = connectOpcua({ endpointUrl: proxy.url, pki: { dir: clientPki, trust: 'tofu' }, logger: capturingLogger(), ...FAST_RECONNECT, connectTimeoutMs: 600_000, signal: abort.signal });
    await accepted;
    abort.abort();
    const stopped = await refusal(connecting);
    expect(stopped).toMatchObject({ code: 'STOPPED', retryable: false });
  });
});
