import { trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import type { OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { pointsOf, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { FAST_RECONNECT, nextEvent } from './helpers/connection-events.js';
import type { CapturingLogger } from './helpers/logger.js';
import { startProxy } from './helpers/proxy.js';
import { clientFor, nsu, restartOn, serverFor } from './helpers/servers.js';

// A reconnect that needs a new session has two causes a controls engineer tells apart: the server
// restarted (its ServerStatus.StartTime is new: values stopped for the outage, a PLC program may
// have changed), or it kept running and dropped the session (the outage outlasted the session
// timeout). The bridge reads the StartTime once per session and says which.
const cleanup = createCleanup();
const track = trackCleanups();
afterAll(() => cleanup.run());

const HOUR = 3_600_000;

/** Stops `server` and starts it again on its port; `before` runs on the new one before any client request can reach it. */
async function restart(server: OpcuaTestServer, pkiDir: string, before: (restarted: OpcuaTestServer) => Promise<void> | void = () => undefined): Promise<OpcuaTestServer> {
  const port = server.port;
  await server.stop();
  const restarted = await restartOn(port, { pkiDir });
  cleanup.add(() => restarted.stop());
  await before(restarted);
  return restarted;
}

/** The server's StartTime, as it gives it to clients. */
const startedAt = (server: OpcuaTestServer): string => server.server.engine.startTime.toISOString();

/** A subscription to one known and one missing node, so that a new session retries the missing one and says why. */
async function watchWithMissing(connection: OpcuaConnection) {
  const c = collector();
  const sub = await subscribe(connection, {
    publishingIntervalMs: 50,
    retryRefusedMs: HOUR,
    variables: [
      { key: 'temperature', nodeId: nsu('Boiler.Temperature'), samplingIntervalMs: 0 },
      { key: 'missing', nodeId: nsu('Boiler.Missing'), samplingIntervalMs: 0 },
    ],
    ...c.handlers,
  });
  cleanup.add(() => sub.close());
  return sub;
}

const retryLines = (connection: OpcuaConnection): string[] => (connection.logger as CapturingLogger).messages().filter((m) => m.includes('retrying 1 refused item'));

describe('a new session after the server restarted', () => {
  it('says the server restarted, and when', async () => {
    const pkiDir = cleanup.dir('restarted-server');
    const server = await serverFor(cleanup, { pkiDir });
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('restarted-client'), FAST_RECONNECT);
    const sub = await watchWithMissing(connection);
    const restored = nextEvent(connection, 'restored');
    const restarted = await restart(server, pkiDir);
    expect(await restored).toMatchObject({ sessionRecreated: true, renewal: { kind: 'restarted', startedAt: startedAt(restarted) } });
    // Behind everything the reconnect queued.
    await sub.rescanNow();
    expect(retryLines(connection)).toEqual([`${server.endpointUrl}: server restarted at ${startedAt(restarted)}: retrying 1 refused item now rather than in 1h`]);
    await sub.close();
  });

  it('that gives no StartTime (null), says what it said before: a restart or a dropped session', async () => {
    const opcua = await import('node-opcua');
    const pkiDir = cleanup.dir('null-server');
    const server = await serverFor(cleanup, { pkiDir });
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('null-client'), FAST_RECONNECT);
    const sub = await watchWithMissing(connection);
    const restored = nextEvent(connection, 'restored');
    await restart(server, pkiDir, (restarted) => {
      const node = restarted.server.engine.addressSpace!.findNode('i=2257') as import('node-opcua').UAVariable;
      node.bindVariable({ get: () => new opcua.Variant({ dataType: opcua.DataType.DateTime, value: null }) }, true);
    });
    const event = await restored;
    expect(event).toMatchObject({ sessionRecreated: true });
    expect(event).not.toHaveProperty('renewal');
    await sub.rescanNow();
    expect(retryLines(connection)).toEqual([`${server.endpointUrl}: server restarted (or it dropped the session): retrying 1 refused item now rather than in 1h`]);
    await sub.close();
  });
});

describe('a new session from a server that kept running', () => {
  it('says the server dropped the session, with the session timeout that likely ran out', async () => {
    const server = await serverFor(cleanup, { pkiDir: cleanup.dir('dropping-server') });
    const proxy = await startProxy(server.port);
    cleanup.add(() => proxy.close());
    const connection = await clientFor(cleanup, proxy.url, cleanup.dir('dropping-client'), { ...FAST_RECONNECT, sessionTimeoutMs: 90_000 });
    const sub = await watchWithMissing(connection);
    const lost = nextEvent(connection, 'lost');
    proxy.cut();
    await lost;
    // What the server does once the session timeout ran out, without the wait.
    const engine = server.server.engine;
    for (const session of engine.getSessions()) engine.closeSession(session.authenticationToken, true, 'Timeout');
    const restored = nextEvent(connection, 'restored');
    proxy.open();
    expect(await restored).toMatchObject({ sessionRecreated: true, renewal: { kind: 'dropped', sessionTimeoutMs: 90_000 } });
    await sub.rescanNow();
    expect(retryLines(connection)).toEqual([
      `${proxy.url}: the server dropped the session without restarting (its StartTime is unchanged; likely the outage outlasted its session timeout of 1m30s, which session_timeout_ms asks for): retrying 1 refused item now rather than in 1h`,
    ]);
    await sub.close();
  });
});

describe('the bridge whose server restarted, nothing refused', () => {
  it('says the server restarted and when in its reconnect line, and counts it', async () => {
    const pkiDir = cleanup.dir('bridge-server');
    const server = await serverFor(cleanup, { pkiDir });
    const { t } = await runSource(track, { endpoint: server.endpointUrl, nodes: [{ metric: 'temperature', node_id: nsu('Boiler.Temperature'), sampling_interval_ms: 0 }] });
    await t.waitFor(() => pointsOf(t, 'temperature').length > 0 && t.ready(), 'the node flowing');
    expect(await t.metric('fieldbridge_opcua_server_restarts_total', {})).toBe(0);
    const restarted = await restart(server, pkiDir);
    await t.waitFor(() => t.logs.messages().some((m) => m.includes('reconnected after')), 'the reconnect said');
    const line = t.logs.messages().find((m) => m.includes('reconnected after'))!;
    expect(line).toContain(`; server restarted at ${startedAt(restarted)}; a new session and subscription (the server no longer had them)`);
    expect(await t.metric('fieldbridge_opcua_server_restarts_total', {})).toBe(1);
    expect(await t.metric('fieldbridge_opcua_reconnects_total', {})).toBe(1);
  });
});
