import { afterAll, describe, expect, it } from 'vitest';
import type { OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { clientFor, nsu, serverFor } from './helpers/servers.js';

// A server that takes few items in one CreateMonitoredItems request and does not say how many
// (its MaxMonitoredItemsPerCall node says 0) refuses a larger request whole, BadTooManyOperations.
// The size the bridge learnt from that refusal holds for the session: its retries do not start
// at 1,000 again and have one more request refused each time.
const cleanup = createCleanup();
afterAll(() => cleanup.run());

const HOUR = 3_600_000;

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
    const known = ['Boiler.Pressure', 'Boiler.Temperature', 'Boiler.Counter'];
    const late = ['Boiler.Late1', 'Boiler.Late2', 'Boiler.Late3'];
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      retryRefusedMs: HOUR,
      variables: [...known, ...late].map((key) => ({ key, nodeId: nsu(key), samplingIntervalMs: 0 })),
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    expect(sub.stats()).toMatchObject({ active: 3, refused: 3 });
    expect(rejected()).toBeGreaterThan(0);

    const beforeRetry = rejected();
    for (const key of late) server.addVariable(key, 1);
    await sub.retryNow();
    expect(sub.stats()).toMatchObject({ active: 6, refused: 0 });
    // Three items at once would have been one more request refused.
    expect(rejected() - beforeRetry).toBe(0);
    await sub.close();
  });
});
