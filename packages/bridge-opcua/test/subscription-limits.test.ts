import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpcua } from '../src/client.js';
import type { OpcuaConnection } from '../src/connection.js';
import { startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import type { VariableSpec } from '../src/item-spec.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector, type Collector } from './helpers/collect.js';
import { capturingLogger } from './helpers/logger.js';
import { nsu } from './helpers/servers.js';
import { until } from './helpers/until.js';

// A server that takes few monitored items in one subscription (a PLC's server: tens to a few
// hundred) and says so in its ServerCapabilities: the items are spread over as many
// subscriptions as they need, each working as the one subscription did.
const PER_SUBSCRIPTION = 3;
const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

beforeAll(async () => {
  server = await startOpcuaServer({ pkiDir: cleanup.dir('server'), capabilities: { maxMonitoredItemsPerSubscription: PER_SUBSCRIPTION } });
  cleanup.add(() => server.stop());
  connection = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir: cleanup.dir('client'), trust: 'tofu' }, logger: capturingLogger() });
  cleanup.add(() => connection.close());
});
afterAll(() => cleanup.run());

/** The subscriptions the server holds for the test's session, with the items of each (the peer's view). */
function serverSubscriptions(): { id: number; items: number }[] {
  const sessions = server.server.engine.getSessions();
  return sessions.flatMap((s) => s.publishEngine.subscriptions.map((sub) => ({ id: sub.id, items: sub.monitoredItemCount })));
}

const BOILER = ['Boiler.Pressure', 'Boiler.Temperature', 'Boiler.Counter', 'Boiler.Running'] as const;
const variables = (keys: readonly string[]): VariableSpec[] => keys.map((key) => ({ key, nodeId: nsu(key), samplingIntervalMs: 0 }));
const DOUBLES = ['Boiler.Pressure', 'Boiler.Temperature', 'Line1.Motor1.Speed', 'Line1.Motor2.Speed', 'Line1.Motor3.Speed', 'Line1.Motor1.Current', 'Line1.Motor2.Current'];

/** Sets a new value on each Double variable of `keys` and waits for each to arrive. */
async function everyValueArrives(c: Collector, keys: readonly string[], base: number): Promise<void> {
  for (const [i, key] of keys.entries()) server.set(key, base + i);
  for (const [i, key] of keys.entries()) await c.value((v) => v.item.key === key && v.value === base + i);
}

describe('a server with a small MaxMonitoredItemsPerSubscription', () => {
  it('gets the items spread over as many subscriptions as they need, and every value arrives', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      retryRefusedMs: 600_000,
      variables: variables(DOUBLES),
      folders: [{ key: 'line1', browsePath: 'Line1', samplingIntervalMs: 0, rescanMs: 0 }],
      events: [{ key: 'alarms' }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    // 7 variables, 6 below the folder and 1 event notifier: 14 items, 3 in each subscription.
    expect(sub.stats()).toMatchObject({ active: 14, refused: 0, subscriptions: 5, itemsPerSubscription: PER_SUBSCRIPTION });
    expect(serverSubscriptions().map((s) => s.items)).toEqual([3, 3, 3, 3, 2]);
    expect(c.problems).toEqual([]);
    await everyValueArrives(c, DOUBLES, 500);
    await c.value((v) => v.item.key === 'line1' && v.item.browsePath?.join('/') === 'Motor3/Current');
    await sub.close();
    expect(serverSubscriptions()).toEqual([]);
  });

  it("numbers the messages of each subscription apart: none is taken for another one's, a message sent again is left out", async () => {
    const c = collector();
    const keys = ['Boiler.Pressure', 'Boiler.Temperature', 'Line1.Motor1.Speed', 'Line1.Motor2.Speed'];
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: variables(keys), ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.stats().subscriptions).toBe(2);
    // Both subscriptions publish on the same ticks: their messages often carry one sequence
    // number and publish time, which are a message's identity only within its subscription.
    for (let round = 1; round <= 5; round++) await everyValueArrives(c, keys, round * 100);
    expect(sub.stats().duplicates).toBe(0);
    server.set('Line1.Motor2.Speed', 4711);
    await c.value((v) => v.item.key === 'Line1.Motor2.Speed' && v.value === 4711);
    // Held, its acknowledgement stays here: the server keeps the message for retransmission.
    sub.flow.hold();
    const engine = (connection.session as unknown as { getPublishEngine(): { getSubscriptionIds(): number[]; getSubscription(id: number): { onNotificationMessage(m: unknown): void } } }).getPublishEngine();
    const second = Math.max(...engine.getSubscriptionIds());
    const batch = c.batches.find((b) => b.values.some((v) => v.value === 4711))!;
    const session = connection.session as unknown as { republish(request: { subscriptionId: number; retransmitSequenceNumber: number }): Promise<{ notificationMessage: unknown }> };
    // The second subscription's message sent again, as node-opcua's reconnection asks: handed over once.
    const again = await session.republish({ subscriptionId: second, retransmitSequenceNumber: batch.sequenceNumber });
    engine.getSubscription(second).onNotificationMessage(again.notificationMessage);
    expect(c.valuesOf('Line1.Motor2.Speed').filter((v) => v === 4711)).toEqual([4711]);
    expect(sub.stats().duplicates).toBe(1);
    sub.flow.release();
    await sub.close();
  });

  it('holds every subscription under flow control, keeps each alive with its lifeline, and releases them all', async () => {
    const c = collector();
    const keys = ['Boiler.Pressure', 'Boiler.Temperature', 'Line1.Motor1.Speed', 'Line1.Motor2.Speed', 'Line1.Motor3.Speed', 'Line1.Motor1.Current', 'Line1.Motor2.Current'];
    const sub = await subscribe(connection, { publishingIntervalMs: 100, subscriptionLifetimeMs: 3000, variables: variables(keys), ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.stats().subscriptions).toBe(3);
    await everyValueArrives(c, keys, 100);
    sub.flow.hold();
    const client = (connection.session as unknown as { getPublishEngine(): { nbPendingPublishRequests: number } }).getPublishEngine();
    await until(() => client.nbPendingPublishRequests === 0, 'the client to run out of Publish requests');
    const held = c.values.length;
    for (const [i, key] of keys.entries()) server.set(key, 900 + i);
    // node-opcua's server grants at least 5 s: a lifeline round per half of it, one Publish per subscription.
    await until(() => sub.flow.stats().lifelines >= 6, 'two lifeline rounds', 20_000, 50);
    expect(serverSubscriptions()).toHaveLength(3);
    expect(c.problems.filter((p) => p.kind === 'subscription_recreated')).toEqual([]);
    // What the lifelines brought is at most one message per subscription and round; the rest waits at the server.
    expect(c.batches.length).toBeGreaterThan(0);
    sub.flow.release();
    for (const [i, key] of keys.entries()) await c.value((v) => v.item.key === key && v.value === 900 + i);
    expect(c.values.length).toBeGreaterThan(held);
    await everyValueArrives(c, keys, 2000);
    await sub.close();
  });

  it('re-creates only the subscription the server closed, with its items', async () => {
    const c = collector();
    const keys = ['Boiler.Pressure', 'Boiler.Temperature', 'Line1.Motor1.Speed', 'Line1.Motor2.Speed', 'Line1.Motor3.Speed'];
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: variables(keys), ...c.handlers });
    cleanup.add(() => sub.close());
    await everyValueArrives(c, keys, 10);
    const before = serverSubscriptions();
    expect(before.map((s) => s.items)).toEqual([3, 2]);
    // The second one's lifetime runs out at its next tick, as without Publish requests.
    const [session] = server.server.engine.getSessions();
    const last = session!.publishEngine.subscriptions.find((s) => s.id === before[1]!.id)!;
    (last as unknown as { _life_time_counter: number })._life_time_counter = last.lifeTimeCount;
    const problem = await c.problem((p) => p.kind === 'subscription_recreated');
    expect(problem.message).toBe(`the server closed subscription 2 of 2 on ${server.endpointUrl} (no Publish request for its whole lifetime); creating it again with every item`);
    await until(() => sub.stats().recreations === 1 && sub.stats().active === 5, 'the subscription made again');
    const after = serverSubscriptions();
    expect(after[0]).toEqual(before[0]);
    expect(after).toHaveLength(2);
    expect(after[1]!.id).not.toBe(before[1]!.id);
    await everyValueArrives(c, keys, 20);
    await sub.close();
  });

  it('opens a subscription for variables a folder rescan finds, and closes one its variables left', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, folders: [{ key: 'boiler', browsePath: 'Boiler', maxDepth: 1, samplingIntervalMs: 0, rescanMs: 600_000 }], ...c.handlers });
    cleanup.add(() => sub.close());
    // Four variables and the model change item.
    expect(sub.stats()).toMatchObject({ active: 4, subscriptions: 2 });
    server.addVariable('Boiler.Extra1', 1);
    server.addVariable('Boiler.Extra2', 2);
    await sub.rescanNow();
    expect(sub.stats()).toMatchObject({ active: 6, subscriptions: 3 });
    server.set('Boiler.Extra2', 22);
    await c.value((v) => v.item.browsePath?.join('/') === 'Extra2' && v.value === 22);
    server.removeVariable('Boiler.Extra1');
    server.removeVariable('Boiler.Extra2');
    await sub.rescanNow();
    expect(sub.stats()).toMatchObject({ active: 4, subscriptions: 2 });
    expect(serverSubscriptions().map((s) => s.items)).toEqual([3, 2]);
    await sub.close();
  });
});

describe('a server that gives a session few subscriptions', () => {
  it('names the items left without one and says what to change, and takes them once the server gives more', async () => {
    const capabilities = server.server.engine.serverCapabilities;
    const most = capabilities.maxSubscriptionsPerSession;
    capabilities.maxSubscriptionsPerSession = 2;
    cleanup.add(() => void (capabilities.maxSubscriptionsPerSession = most));
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      retryRefusedMs: 600_000,
      variables: variables(BOILER),
      folders: [{ key: 'line1', browsePath: 'Line1', samplingIntervalMs: 0, rescanMs: 0 }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    expect(sub.stats()).toMatchObject({ active: 6, refused: 4, subscriptions: 2 });
    const why =
      "the server gives a session at most 2 subscriptions (its MaxSubscriptionsPerSession) and takes at most 3 items in each (its MaxMonitoredItemsPerSubscription); 6 items are monitored, 4 are not: raise MaxSubscriptionsPerSession or MaxMonitoredItemsPerSubscription in the server's configuration, or monitor fewer (fewer nodes, a lower max_items in folders[]); trying again every 10m";
    expect(c.problems).toEqual([
      { kind: 'item_refused', item: 'line1', message: `line1: the server refused to monitor 4 items (Line1/Motor2/Current, Line1/Motor2/Speed, Line1/Motor3/Current and 1 more) (BadTooManyMonitoredItems): ${why}` },
    ]);
    expect(sub.items().filter((i) => i.state === 'refused')).toEqual([
      expect.objectContaining({ label: 'Line1/Motor2/Current', message: 'BadTooManyMonitoredItems' }),
      expect.objectContaining({ label: 'Line1/Motor2/Speed' }),
      expect.objectContaining({ label: 'Line1/Motor3/Current' }),
      expect.objectContaining({ label: 'Line1/Motor3/Speed' }),
    ]);
    // The server's configuration changed: the next retry gets the subscriptions needed.
    capabilities.maxSubscriptionsPerSession = most;
    await sub.retryNow();
    expect(sub.stats()).toMatchObject({ active: 10, refused: 0, subscriptions: 4 });
    server.set('Line1.Motor3.Speed', 3131);
    await c.value((v) => v.item.browsePath?.join('/') === 'Motor3/Speed' && v.value === 3131);
    await sub.close();
  });
});
