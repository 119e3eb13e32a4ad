import { describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import { SIM_NAMESPACE, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { sessionForFile } from './helpers/servers.js';
import { until } from './helpers/until.js';

const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

sessionForFile(cleanup, (s, c) => {
  server = s;
  connection = c;
});

const COUNTER = `nsu=${SIM_NAMESPACE};s=Boiler.Counter`;

// What the server holds, read from the server itself (the peer, not this package).
interface ServerView {
  pendingPublishRequests: number;
  subscriptions: number;
  availableSequenceNumbers: number[];
  /** The values in the monitored item's queue, oldest first. */
  queued: unknown[];
}
function serverView(): ServerView {
  const [session] = server.server.engine.getSessions();
  const engine = session!.publishEngine;
  const subscription = engine.subscriptions[0];
  const handles = subscription?.getMonitoredItems().serverHandles ?? [];
  const item = handles.length > 0 ? subscription!.getMonitoredItem(handles[0]!) : null;
  return {
    pendingPublishRequests: engine.pendingPublishRequestCount,
    subscriptions: engine.subscriptionCount,
    availableSequenceNumbers: subscription?.getAvailableSequenceNumbers() ?? [],
    queued: (item?.queue ?? []).map((q) => (q as unknown as { value: { value: { value: unknown } } }).value.value.value),
  };
}

describe('flow control', () => {
  it('holds notifications at the server (bounded by the queue) and its acknowledgements, and releases them', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: [{ key: 'counter', nodeId: COUNTER, samplingIntervalMs: 0, queueSize: 5 }], ...c.handlers });
    cleanup.add(() => sub.close());
    server.set('Boiler.Counter', 1);
    await c.value((v) => v.value === 1);

    sub.flow.hold();
    expect(sub.flow.held()).toBe(true);
    // The Publish requests already sent are answered; no new ones go out. Once the client has
    // none in flight (its own count: the server's misses those still on the way), nothing more comes.
    const client = (connection.session as unknown as { getPublishEngine(): { nbPendingPublishRequests: number } }).getPublishEngine();
    let n = 100;
    await until(() => {
      server.set('Boiler.Counter', ++n);
      return client.nbPendingPublishRequests === 0;
    }, 'the client to run out of Publish requests');
    expect(serverView().pendingPublishRequests).toBe(0);
    const received = c.values.length;
    const kept = sub.flow.stats().heldAcks;
    expect(kept).toBeGreaterThan(0);
    // Unacknowledged, the messages stay in the server's retransmission queue.
    expect(serverView().availableSequenceNumbers.length).toBeGreaterThanOrEqual(kept);

    // The server samples each value into the item's queue of 5, dropping the oldest when full.
    for (let i = 1; i <= 10; i++) {
      server.set('Boiler.Counter', 1000 + i);
      await until(() => serverView().queued.at(-1) === 1000 + i, `value ${1000 + i} in the server's queue`);
    }
    expect(serverView().queued).toEqual([1006, 1007, 1008, 1009, 1010]);
    expect(c.values.length).toBe(received);

    sub.flow.release();
    await c.value((v) => v.value === 1010);
    const released = c.values.slice(received);
    expect(released.map((v) => v.value)).toEqual([1006, 1007, 1008, 1009, 1010]);
    expect(released[0]!.overflow).toBe(true);
    expect(released.slice(1).every((v) => !v.overflow)).toBe(true);
    expect(sub.flow.stats()).toMatchObject({ heldAcks: 0, holds: 1 });
    expect(sub.stats().overflows).toBeGreaterThanOrEqual(1);
    await sub.close();
    expect(serverView().subscriptions).toBe(0);
  });

  it('keeps a long hold from costing the subscription: a lifeline Publish before the server would drop it', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 100,
      subscriptionLifetimeMs: 3000,
      variables: [{ key: 'counter', nodeId: COUNTER, samplingIntervalMs: 0 }],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'counter');
    // node-opcua's server grants at least 5 s.
    expect(sub.stats().lifetimeMs).toBeLessThanOrEqual(5000);
    const started = performance.now();
    sub.flow.hold();
    // Two lifelines span more than the whole lifetime without a regular Publish request.
    await until(() => sub.flow.stats().lifelines >= 2, 'two lifelines', 20_000, 50);
    expect(performance.now() - started).toBeGreaterThan(sub.stats().lifetimeMs);
    expect(serverView().subscriptions).toBe(1);
    sub.flow.release();
    server.set('Boiler.Counter', 5150);
    await c.value((v) => v.value === 5150);
    expect(c.problems.filter((p) => p.kind === 'subscription_recreated')).toEqual([]);
  });
  it('hands a message sent again (Republish, as node-opcua asks after a reconnect) over once', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: [{ key: 'counter', nodeId: COUNTER, samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    server.set('Boiler.Counter', 7);
    await c.value((v) => v.value === 7);
    // Held, its acknowledgement stays here: the server keeps the message for retransmission.
    sub.flow.hold();
    const sequenceNumber = c.batches.find((b) => b.values.some((v) => v.value === 7))!.sequenceNumber;
    const engine = (connection.session as unknown as { getPublishEngine(): { getSubscriptionIds(): number[]; getSubscription(id: number): { onNotificationMessage(m: unknown): void } } }).getPublishEngine();
    const subscriptionId = Math.max(...engine.getSubscriptionIds());
    const session = connection.session as unknown as { republish(request: { subscriptionId: number; retransmitSequenceNumber: number }): Promise<{ notificationMessage: { sequenceNumber: number } }> };
    const answer = await session.republish({ subscriptionId, retransmitSequenceNumber: sequenceNumber });
    expect(answer.notificationMessage.sequenceNumber).toBe(sequenceNumber);
    // What node-opcua's reconnection does with each Republish answer, racing the Publish that brought it first.
    engine.getSubscription(subscriptionId).onNotificationMessage(answer.notificationMessage);
    expect(c.valuesOf('counter').filter((v) => v === 7)).toEqual([7]);
    expect(sub.stats().duplicates).toBe(1);
    sub.flow.release();
    await sub.close();
  });
});
