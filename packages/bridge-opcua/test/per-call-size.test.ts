import { afterAll, describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import type { OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { FAST_RECONNECT, nextEvent } from './helpers/connection-events.js';
import { clientFor, nsu, restartOn, serverFor } from './helpers/servers.js';

// A server that takes few items in one CreateMonitoredItems request and does not say how many
// (its MaxMonitoredItemsPerCall node says 0) refuses a larger request whole, BadTooManyOperations.
// The size the bridge learnt from that refusal holds for the session: its retries do not start
// at 1,000 again and have one more request refused each time.
const cleanup = createCleanup();
afterAll(() => cleanup.run());

const HOUR = 3_600_000;

/** Three nodes the server has and three it has not yet, the late ones retried only when asked (or after an hour). */
const LATE = ['Boiler.Late1', 'Boiler.Late2', 'Boiler.Late3'];
async function subscribeKnownAndLate(connection: OpcuaConnection) {
  const sub = await subscribe(connection, {
    publishingIntervalMs: 50,
    retryRefusedMs: HOUR,
    variables: ['Boiler.Pressure', 'Boiler.Temperature', 'Boiler.Counter', ...LATE].map((key) => ({ key, nodeId: nsu(key), samplingIntervalMs: 0 })),
    ...collector().handlers,
  });
  cleanup.add(() => sub.close());
  return sub;
}

/** Records the size of each CreateMonitoredItems request `server` is sent. */
function requestSizes(server: OpcuaTestServer): number[] {
  const sizes: number[] = [];
  // node-opcua's server dispatches each request to its `_on_<RequestName>` method, looked up when the request arrives.
  const handlers = server.server as unknown as Record<string, (message: { request: { itemsToCreate: unknown[] | null } }, channel: unknown) => unknown>;
  const create = handlers._on_CreateMonitoredItemsRequest!.bind(server.server);
  handlers._on_CreateMonitoredItemsRequest = (message, channel) => {
    sizes.push(message.request.itemsToCreate?.length ?? 0);
    return create(message, channel);
  };
  return sizes;
}

/** Makes `server` take at most `most` items per CreateMonitoredItems request, and say none. */
async function unsaidPerCall(server: OpcuaTestServer, most: number): Promise<void> {
  const opcua = await import('node-opcua');
  server.server.engine.serverCapabilities.operationLimits.maxMonitoredItemsPerCall = most;
  const node = server.server.engine.addressSpace!.findNode('i=11714') as import('node-opcua').UAVariable;
  node.bindVariable({ get: () => new opcua.Variant({ dataType: opcua.DataType.UInt32, value: 0 }) }, true);
}

describe('the request size learnt from a server that does not say its MaxMonitoredItemsPerCall', () => {
  it('is kept for the retry: the items that appeared later are created without a refused request', async () => {
    const server = await serverFor(cleanup, { pkiDir: cleanup.dir('server') });
    await unsaidPerCall(server, 2);
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('client'));
    const rejected = (): number => server.server.engine.serverDiagnosticsSummary.rejectedRequestsCount;
    const sub = await subscribeKnownAndLate(connection);
    expect(sub.stats()).toMatchObject({ active: 3, refused: 3 });
    expect(rejected()).toBeGreaterThan(0);

    const beforeRetry = rejected();
    for (const key of LATE) server.addVariable(key, 1);
    await sub.retryNow();
    expect(sub.stats()).toMatchObject({ active: 6, refused: 0 });
    // Three items at once would have been one more request refused.
    expect(rejected() - beforeRetry).toBe(0);
    await sub.close();
  });
});

describe('the request size learnt from a server before it restarted', () => {
  it('is learnt anew on the new session: the restarted server, which takes more in one, gets the retried items in one request', async () => {
    const pkiDir = cleanup.dir('restarting-server');
    const server = await serverFor(cleanup, { pkiDir });
    await unsaidPerCall(server, 2);
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('restarting-client'), FAST_RECONNECT);
    const sub = await subscribeKnownAndLate(connection);
    expect(sub.stats()).toMatchObject({ active: 3, refused: 3 });

    const restored = nextEvent(connection, 'restored');
    const port = server.port;
    await server.stop();
    const restarted = await restartOn(port, { pkiDir });
    cleanup.add(() => restarted.stop());
    // Before the event loop turns: no client request reaches it before these.
    await unsaidPerCall(restarted, 1000);
    for (const key of LATE) restarted.addVariable(key, 1);
    const sizes = requestSizes(restarted);
    expect(await restored).toMatchObject({ sessionRecreated: true });
    // Behind everything the reconnect queued.
    await sub.rescanNow();
    expect(sub.stats()).toMatchObject({ active: 6, refused: 0 });
    // node-opcua's re-creation of the three known items, then the three retried ones: not in requests of 2 and 1.
    expect(sizes).toEqual([3, 3]);
    await sub.close();
  });
});
