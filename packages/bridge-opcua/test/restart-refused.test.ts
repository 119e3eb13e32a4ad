import { trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { SIM_NAMESPACE, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { pointsOf, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { FAST_RECONNECT, nextEvent } from './helpers/connection-events.js';
import { startProxy } from './helpers/proxy.js';
import { collector } from './helpers/collect.js';
import type { CapturingLogger } from './helpers/logger.js';
import { clientFor, nsu, restartOn, serverFor } from './helpers/servers.js';
import { until } from './helpers/until.js';

// A PLC program download adds tags: the PLC's server restarts with the new nodes. Items the
// bridge asked for before they existed (refused: BadNodeIdUnknown; a browse path: not found) are
// monitored as soon as the session is made again, not at their next retry an hour later.
const cleanup = createCleanup();
const track = trackCleanups();
afterAll(() => cleanup.run());

const HOUR = 3_600_000;

/** Stops `server` and starts it again on its port, with variable `added` below Boiler, as a PLC after a program download. */
async function restartWith(server: OpcuaTestServer, pkiDir: string, added: string, value: number): Promise<OpcuaTestServer> {
  const port = server.port;
  await server.stop();
  const restarted = await restartOn(port, { pkiDir });
  // Before the event loop turns: no client request reaches the server before the node is there.
  restarted.addVariable(added, value);
  cleanup.add(() => restarted.stop());
  return restarted;
}

describe('items the server did not have, after it restarted with them', () => {
  it('are monitored right after the reconnect, a refused node id, an unresolved browse path and a folder not found alike, and said once', async () => {
    const pkiDir = cleanup.dir('server');
    const server = await serverFor(cleanup, { pkiDir });
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('client'), FAST_RECONNECT);
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      retryRefusedMs: HOUR,
      variables: [
        { key: 'temperature', nodeId: nsu('Boiler.Temperature'), samplingIntervalMs: 0 },
        { key: 'level', nodeId: nsu('Boiler.Level'), samplingIntervalMs: 0 },
        { key: 'flow', browsePath: 'Boiler/Flow', samplingIntervalMs: 0 },
      ],
      folders: [{ key: 'tank', nodeId: nsu('Tank'), rescanMs: HOUR, samplingIntervalMs: 0 }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    expect(sub.items().map((i) => [i.key, i.state])).toEqual([
      ['temperature', 'active'],
      ['level', 'refused'],
      ['flow', 'unresolved'],
      ['tank', 'unresolved'],
    ]);

    const restored = nextEvent(connection, 'restored');
    const restarted = await restartWith(server, pkiDir, 'Boiler.Level', 7);
    restarted.addVariable('Boiler.Flow', 8);
    const addressSpace = restarted.server.engine.addressSpace!;
    const ns = addressSpace.getNamespace(SIM_NAMESPACE)!;
    const tank = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Tank', nodeId: 's=Tank' });
    ns.addVariable({ componentOf: tank, browseName: 'Volume', nodeId: 's=Tank.Volume', dataType: 'Double', value: { dataType: 11, value: 9 } as never });
    expect(await restored).toMatchObject({ sessionRecreated: true });
    await until(() => sub.stats().active === 4, 'the new nodes monitored without waiting for the retry');
    await c.value((v) => v.item.key === 'level' && v.value === 7);
    await c.value((v) => v.item.key === 'flow' && v.value === 8);
    await c.value((v) => v.item.key === 'tank' && v.value === 9);
    const logger = connection.logger as CapturingLogger;
    const at = restarted.server.engine.startTime.toISOString();
    expect(logger.messages().filter((m) => m.includes('server restarted'))).toEqual([`${server.endpointUrl}: server restarted at ${at}: retrying 2 refused items and looking for 1 folder not found now rather than in 1h`]);
    await sub.close();
  });
});

describe('an item whose node the restarted server renumbered', () => {
  it('follows its browse path to the new node right after the reconnect, not at its next retry', async () => {
    const pkiDir = cleanup.dir('renumbering');
    const server = await serverFor(cleanup, { pkiDir });
    // Boiler/Level is s=Old.Level now; after the program download, s=New.Level.
    server.addVariable('Old.Level', 1);
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('renumbering-client'), FAST_RECONNECT);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: HOUR, variables: [{ key: 'level', browsePath: 'Boiler/Level', samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'level' && v.value === 1);

    const restored = nextEvent(connection, 'restored');
    await restartWith(server, pkiDir, 'New.Level', 5);
    expect(await restored).toMatchObject({ sessionRecreated: true });
    await c.value((v) => v.item.key === 'level' && v.value === 5);
    expect(sub.items()).toMatchObject([{ key: 'level', state: 'active', nodeId: expect.stringContaining('New.Level') }]);
    await sub.close();
  });
});

describe('the bridge whose mapping names a node its server does not have yet', () => {
  it('reads it right after the server restarted with it, retry_refused_ms an hour away; a node still missing is tried once', async () => {
    const pkiDir = cleanup.dir('bridge-server');
    const server = await serverFor(cleanup, { pkiDir });
    const { t, source } = await runSource(track, {
      endpoint: server.endpointUrl,
      retry_refused_ms: '1h',
      nodes: [
        { metric: 'temperature', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0 },
        { metric: 'level', node_id: nsu('Boiler.Level'), sampling_interval_ms: 0 },
        { metric: 'missing', node_id: nsu('Boiler.Missing'), sampling_interval_ms: 0 },
      ],
    });
    await t.waitFor(() => pointsOf(t, 'temperature').length > 0 && t.ready(), 'the known node flowing');
    expect(source.items().map((i) => i.state)).toEqual(['active', 'refused', 'refused']);

    const restarted = await restartWith(server, pkiDir, 'Boiler.Level', 42);
    await t.waitFor(() => pointsOf(t, 'level').some((p) => p.value === 42), 'the new node read without waiting an hour');
    // Behind everything queued since the restart: the items' states are settled.
    await source.subscription()!.rescanNow();
    expect(source.items().map((i) => i.state)).toEqual(['active', 'active', 'refused']);
    const at = restarted.server.engine.startTime.toISOString();
    expect(t.logs.messages().filter((m) => m.includes('retrying'))).toEqual([`${server.endpointUrl}: server restarted at ${at}: retrying 2 refused items now rather than in 1h`]);
    // Tried once after the restart, not again by a second retry right behind it.
    expect(t.logs.messages().filter((m) => m.includes('still not monitored'))).toEqual([]);
  });
});

describe('the bridge after a network cut that kept its session', () => {
  it('tries a refused item at its period only: the server that refused it is the same', async () => {
    const server = await serverFor(cleanup, { pkiDir: cleanup.dir('kept-server') });
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    const { t, source } = await runSource(track, {
      endpoint: proxy.url,
      retry_refused_ms: '1h',
      nodes: [
        { metric: 'temperature', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0 },
        { metric: 'missing', node_id: nsu('Boiler.Missing'), sampling_interval_ms: 0 },
      ],
    });
    await t.waitFor(() => pointsOf(t, 'temperature').length > 0 && t.ready(), 'the known node flowing');

    proxy.cut();
    await t.waitFor(() => !t.ready(), 'the loss noticed');
    proxy.open();
    await t.waitFor(() => t.ready(), 'connected again');
    // Behind everything the reconnect queued.
    await source.subscription()!.rescanNow();
    expect(t.logs.messages().filter((m) => m.includes('the session was kept'))).toHaveLength(1);
    expect(t.logs.messages().filter((m) => m.includes('still not monitored') || m.includes('server restarted'))).toEqual([]);
  });
});
