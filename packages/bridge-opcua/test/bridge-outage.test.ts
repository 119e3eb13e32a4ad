import { captureLogs, trackCleanups, until, type CapturedLogs } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startOpcuaServer } from '../src/server.js';
import { runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { startProxy } from './helpers/proxy.js';
import { nsu } from './helpers/servers.js';

// A network cut between the bridge and a server that stays up: what the bridge counts and says,
// and what it gets of the values that changed meanwhile.
const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());

/** A pino logger (info) whose messages a test can read. */
const capturedLogger = (): CapturedLogs => captureLogs('info');

describe('a network cut, the server staying up', () => {
  it('is counted as a lost connection; the session is kept and said so; the values of the gap come, those dropped from a full queue are warned about', async () => {
    const server = await startOpcuaServer({ pkiDir: files.dir('server') });
    track.defer(() => server.stop());
    const proxy = await startProxy(server.port);
    track.defer(() => proxy.close());
    const { logger, messages } = capturedLogger();
    const { t } = await runSource(
      track,
      { endpoint: proxy.url, pki: files.dir('client'), nodes: [{ metric: 'counter', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0, queue_size: 2 }] },
      { logger },
    );
    server.set('Boiler.Counter', 1);
    await t.waitFor(() => t.ready() && t.valuesOf('counter').includes(1), 'the first value');

    proxy.cut();
    await t.waitFor(() => !t.ready(), 'the loss noticed');
    // The server answers the Publish requests it still holds with the next changes (into the cut
    // connection, to be sent again later); once it has none, changes wait in the item's queue.
    const engine = () => server.server.engine.getSessions()[0]!.publishEngine;
    let n = 100;
    await until(() => {
      server.set('Boiler.Counter', ++n);
      return engine().pendingPublishRequestCount === 0;
    }, 'the server out of Publish requests');
    const queued = (): unknown[] => {
      const subscription = engine().subscriptions[0]!;
      const item = subscription.getMonitoredItem(subscription.getMonitoredItems().serverHandles[0]!)!;
      return (item.queue ?? []).map((q) => (q as unknown as { value: { value: { value: unknown } } }).value.value.value);
    };
    // Five changes while the bridge cannot hear: the queue (queue_size 2) keeps the last two, flagging the first of them.
    for (let i = 1; i <= 5; i++) {
      server.set('Boiler.Counter', 1000 + i);
      await until(() => queued().at(-1) === 1000 + i, `value ${1000 + i} in the server's queue`);
    }
    expect(queued()).toEqual([1004, 1005]);
    proxy.open();
    await t.waitFor(() => t.ready() && t.valuesOf('counter').includes(1005), 'the values of the gap');

    expect(t.valuesOf('counter').filter((v) => (v as number) > 1000)).toEqual([1004, 1005]);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'connection_lost' })).toBe(1);
    expect(await t.metric('fieldbridge_opcua_reconnects_total', {})).toBe(1);
    expect(messages()).toContainEqual(expect.stringMatching(/reconnected after a gap of \S+ without data; the session was kept, with its subscription: what changed in the gap comes now/));
    expect(messages().some((m) => /values that changed in the gap are lost/.test(m))).toBe(false);
    const overflow = t.problems.find((p) => p.key === 'opcua.queue_overflow');
    expect(overflow?.message).toMatch(/the server dropped values of 1 item\(s\) whose queue overflowed: counter \(queue_size 2\); raise their queue_size/);
    expect(await t.metric('fieldbridge_opcua_queue_overflows_total', {})).toBe(1);
  });
});
