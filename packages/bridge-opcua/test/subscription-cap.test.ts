import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS } from '../src/_lanes.js';
import { connectOpcua } from '../src/client.js';
import type { OpcuaConnection } from '../src/connection.js';
import type { VariableSpec } from '../src/item-spec.js';
import { startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { capturingLogger } from './helpers/logger.js';
import { nsu } from './helpers/servers.js';

// A server that takes one monitored item in a subscription, and gives a session as many
// subscriptions as it asks for: the bridge stops at its own bound on subscriptions.
const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;
const KEYS = Array.from({ length: MAX_SUBSCRIPTIONS + 1 }, (_, i) => `Boiler.Tag${i + 1}`);

beforeAll(async () => {
  server = await startOpcuaServer({ pkiDir: cleanup.dir('server'), capabilities: { maxMonitoredItemsPerSubscription: 1, maxSubscriptionsPerSession: 10 * MAX_SUBSCRIPTIONS } });
  cleanup.add(() => server.stop());
  server.server.engine.serverCapabilities.maxSubscriptions = 10 * MAX_SUBSCRIPTIONS;
  for (const [i, key] of KEYS.entries()) server.addVariable(key, i);
  connection = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir: cleanup.dir('client'), trust: 'tofu' }, logger: capturingLogger() });
  cleanup.add(() => connection.close());
});
afterAll(() => cleanup.run());

describe("past the bridge's own bound on subscriptions per session", () => {
  it('names the item left out and says to raise the items the server takes in one subscription', async () => {
    const c = collector();
    const variables: VariableSpec[] = KEYS.map((key) => ({ key: 'tags', nodeId: nsu(key), samplingIntervalMs: 0 }));
    const sub = await subscribe(connection, { publishingIntervalMs: 1000, retryRefusedMs: 600_000, variables, ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.stats()).toMatchObject({ active: MAX_SUBSCRIPTIONS, refused: 1, subscriptions: MAX_SUBSCRIPTIONS });
    expect(server.server.engine.getSessions().flatMap((s) => s.publishEngine.subscriptions)).toHaveLength(MAX_SUBSCRIPTIONS);
    expect(c.problems).toEqual([
      {
        kind: 'item_refused',
        item: 'tags',
        message:
          `tags: the server refused to monitor ${nsu(KEYS.at(-1)!)} (BadTooManyMonitoredItems): the 100 subscriptions bridge-opcua opens on one session at most are full, ` +
          "with at most 1 item in each (its MaxMonitoredItemsPerSubscription); 100 items are monitored, 1 is not: raise MaxMonitoredItemsPerSubscription in the server's configuration, " +
          'or monitor fewer (fewer nodes, a lower max_items in folders[]); trying again every 10m',
      },
    ]);
    await sub.close();
  });
});
