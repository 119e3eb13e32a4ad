import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOpcua } from '../src/client.js';
import type { OpcuaConnection } from '../src/connection.js';
import type { VariableSpec } from '../src/item-spec.js';
import { startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { capturingLogger } from './helpers/logger.js';
import { nsu } from './helpers/servers.js';
import { refuseWholeRequests, type WholeRefusals } from './helpers/whole-refusal.js';

// A server that refuses a CreateMonitoredItems request as a whole (BadTooManyMonitoredItems as
// its service result) when it would take the subscription past the items it holds, and does not
// say how many that is.
const PER_SUBSCRIPTION = 3;
const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;
let refusals: WholeRefusals;

beforeAll(async () => {
  server = await startOpcuaServer({ pkiDir: cleanup.dir('server') });
  cleanup.add(() => server.stop());
  refusals = await refuseWholeRequests(server, PER_SUBSCRIPTION);
  connection = await connectOpcua({ endpointUrl: server.endpointUrl, pki: { dir: cleanup.dir('client'), trust: 'tofu' }, logger: capturingLogger() });
  cleanup.add(() => connection.close());
});
afterAll(() => cleanup.run());

/** The subscriptions the server holds for the test's session, with the items of each (the peer's view). */
function serverSubscriptions(): { id: number; items: number }[] {
  return server.server.engine.getSessions().flatMap((s) => s.publishEngine.subscriptions.map((sub) => ({ id: sub.id, items: sub.monitoredItemCount })));
}

const KEYS = ['Boiler.Pressure', 'Boiler.Temperature', 'Line1.Motor1.Speed', 'Line1.Motor2.Speed', 'Line1.Motor3.Speed', 'Line1.Motor1.Current', 'Line1.Motor2.Current'];
const variables: VariableSpec[] = KEYS.map((key) => ({ key, nodeId: nsu(key), samplingIntervalMs: 0 }));

describe('a server that refuses a whole CreateMonitoredItems request for room', () => {
  it('gets the items in smaller requests, spread over subscriptions that each get as many as the first one took', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables, ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.items().map((i) => [i.key, i.state, i.message])).toEqual(KEYS.map((key) => [key, 'active', undefined]));
    expect(sub.stats()).toMatchObject({ subscriptions: 3, itemsPerSubscription: PER_SUBSCRIPTION });
    const held = serverSubscriptions();
    expect(held.map((s) => s.items)).toEqual([3, 3, 1]);
    // The first subscription showed how many one takes: the next ones were asked for no more.
    expect([...refusals.refused.keys()]).toEqual([held[0]!.id]);
    expect(c.problems).toEqual([]);
    for (const [i, key] of KEYS.entries()) server.set(key, 600 + i);
    for (const [i, key] of KEYS.entries()) await c.value((v) => v.item.key === key && v.value === 600 + i);
    await sub.close();
  });
});
