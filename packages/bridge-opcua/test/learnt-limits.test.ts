import { afterAll, describe, expect, it } from 'vitest';
import type { VariableSpec } from '../src/item-spec.js';
import type { OpcuaConnection } from '../src/connection.js';
import type { OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { FAST_RECONNECT, nextEvent } from './helpers/connection-events.js';
import { collector } from './helpers/collect.js';
import { clientFor, monitoredByServer, nsu, restartOn, serverFor, unsayItemsPerSubscription } from './helpers/servers.js';
import { until } from './helpers/until.js';

// What the bridge learnt of a server's limits from its refusals (BadTooManyMonitoredItems from a
// subscription that holds N items) is what the server held then: a limit over all its clients
// that is raised later, or a server restarted with higher limits, takes more than that.
const cleanup = createCleanup();
afterAll(() => cleanup.run());

const KEYS = ['Boiler.Pressure', 'Boiler.Temperature', 'Line1.Motor1.Speed', 'Line1.Motor2.Speed', 'Line1.Motor3.Speed'];
const variables = (keys: readonly string[]): VariableSpec[] => keys.map((key) => ({ key, nodeId: nsu(key), samplingIntervalMs: 0 }));

/** The items of each subscription the server holds (the peer's view). */
const held = (server: OpcuaTestServer): number[] => server.server.engine.getSessions().flatMap((s) => s.publishEngine.subscriptions.map((sub) => sub.monitoredItemCount));

/**
 * Subscribes three items to `server` while its other clients hold all but 2 of the items it
 * monitors over all (its MaxMonitoredItems): one is refused for room. `restore()` lets go of theirs.
 */
async function threeWhereTwoFit(server: OpcuaTestServer, connection: OpcuaConnection) {
  const capabilities = server.server.engine.serverCapabilities;
  const most = capabilities.maxMonitoredItems;
  capabilities.maxMonitoredItems = monitoredByServer(server) + 2;
  const c = collector();
  const keys = KEYS.slice(0, 3);
  const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables: variables(keys), ...c.handlers });
  cleanup.add(() => sub.close());
  return { sub, c, keys, restore: () => void (capabilities.maxMonitoredItems = most) };
}

describe('a limit learnt from the refusals of a server', () => {
  it('is learnt again at the retry: a server that monitors more items over all its clients now takes them in the subscription it refused them in', async () => {
    const server = await serverFor(cleanup, { pkiDir: cleanup.dir('server'), capabilities: { maxSubscriptionsPerSession: 1 } });
    unsayItemsPerSubscription(server);
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('client'));
    const { sub, c, keys, restore } = await threeWhereTwoFit(server, connection);
    expect(sub.stats()).toMatchObject({ active: 2, refused: 1, subscriptions: 1 });
    // They let go of theirs: the retry finds room in the one subscription the session has.
    restore();
    await sub.retryNow();
    expect(sub.stats()).toMatchObject({ active: 3, refused: 0, subscriptions: 1 });
    expect(held(server)).toEqual([3]);
    server.set(keys[2]!, 4242);
    await c.value((v) => v.item.key === keys[2] && v.value === 4242);
    await sub.close();
  });

  it('below the MaxMonitoredItemsPerSubscription the server says, is said to be its MaxMonitoredItems over all clients', async () => {
    const server = await serverFor(cleanup, { pkiDir: cleanup.dir('server'), capabilities: { maxSubscriptionsPerSession: 1 } });
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('client'));
    const { sub, c, keys } = await threeWhereTwoFit(server, connection);
    const capabilities = server.server.engine.serverCapabilities;
    expect(sub.stats()).toMatchObject({ active: 2, refused: 1, subscriptions: 1 });
    expect(c.problems.map((p) => p.message)).toEqual([
      `${keys[2]}: the server refused to monitor ${nsu(keys[2]!)} (BadTooManyMonitoredItems): the server gives a session at most 1 subscription (its MaxSubscriptionsPerSession) ` +
        `and takes at most ${capabilities.maxMonitoredItemsPerSubscription} items in each (its MaxMonitoredItemsPerSubscription), yet one of 2 items refused more (its MaxMonitoredItems over all its clients); ` +
        "2 items are monitored, 1 is not: raise MaxMonitoredItems in the server's configuration, or monitor fewer (fewer nodes, a lower max_items in folders[]); trying again every 10m",
    ]);
    await sub.close();
  });

  it('is learnt again after a server restart, and the items it left out are placed at once on what the restarted server gives', async () => {
    const pkiDir = cleanup.dir('server');
    let server = await serverFor(cleanup, { pkiDir, capabilities: { maxMonitoredItemsPerSubscription: 2, maxSubscriptionsPerSession: 2 } });
    unsayItemsPerSubscription(server);
    const connection = await clientFor(cleanup, server.endpointUrl, cleanup.dir('client'), FAST_RECONNECT);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables: variables(KEYS), ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.stats()).toMatchObject({ active: 4, refused: 1, subscriptions: 2, itemsPerSubscription: 2 });

    // Its configuration changed, the server restarts: 10 items in a subscription.
    const restored = nextEvent(connection, 'restored');
    const port = server.port;
    await server.stop();
    server = await restartOn(port, { pkiDir, capabilities: { maxMonitoredItemsPerSubscription: 10, maxSubscriptionsPerSession: 2 } });
    cleanup.add(() => server.stop());
    expect(await restored).toMatchObject({ sessionRecreated: true });
    await until(() => sub.stats().active === KEYS.length, 'the item left out monitored');
    expect(sub.stats()).toMatchObject({ refused: 0, subscriptions: 2, itemsPerSubscription: 10 });
    expect(held(server)).toEqual([3, 2]);
    server.set(KEYS[4]!, 5151);
    await c.value((v) => v.item.key === KEYS[4] && v.value === 5151);
    await sub.close();
  });
});
