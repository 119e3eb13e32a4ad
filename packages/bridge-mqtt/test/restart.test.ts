import { startFaultProxy, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

const track = trackCleanups();

describe.each([4, 5] as const)('broker restart with a persistent session (protocol_version %i)', (version) => {
  it('delivers QoS 1 messages published while the bridge was away, after it reconnects', async () => {
    const broker = track.add(await startMosquitto({ persistence: true }), (b) => b.close());
    // The bridge reaches the broker through a fault proxy, so the test decides when it may reconnect.
    const gate = track.add(await startFaultProxy({ target: { port: broker.port } }), (p) => p.close());
    const { t, subscribed, source } = await startSource(
      section({
        url: `mqtt://127.0.0.1:${gate.port}`,
        protocol_version: version,
        client_id: `fb-restart-v${version}`,
        clean: false,
        reconnect: { initial_ms: 20, max_ms: 100 },
        subscriptions: [{ topic: 'line/+/count', qos: 1, format: 'number', metric: '{topic.1}.count' }],
      }),
      {},
      track,
    );
    await subscribed();
    const before = await connectPublisher(broker.url, { protocolVersion: version });
    for (let i = 0; i < 5; i++) await before.publish('line/a/count', String(i), 1);
    await before.close();
    await t.waitFor(() => t.points.length === 5, 'the first 5 points');

    await broker.stop();
    await t.waitFor(() => t.channels()['line/+/count']?.state === 'disconnected', 'the bridge to see the broker go');
    // Keep the bridge away from the restarted broker until the messages are published.
    gate.mode('refuse');
    await broker.start();
    // Published to the restarted broker while the bridge cannot reach it: queued in its session.
    const during = await connectPublisher(broker.url, { protocolVersion: version });
    for (let i = 5; i < 25; i++) await during.publish(`line/${i % 2 ? 'a' : 'b'}/count`, String(i), 1);
    await during.close();
    expect(t.points).toHaveLength(5);
    await t.waitFor(() => gate.turnedAway() >= 1, 'a reconnect attempt turned away');

    gate.mode('pass');
    await t.waitFor(() => t.points.some((p) => p.value === 24), 'the last message after the reconnect');
    const values = t.points.map((p) => p.value as number);
    // QoS 1 is at least once: the first messages may come again when their acknowledgements
    // were still on the way as the connection was cut; the ones queued come exactly once, in order.
    expect(new Set(values)).toEqual(new Set(Array.from({ length: 25 }, (_, i) => i)));
    const queued = t.points.filter((p) => (p.value as number) >= 5);
    expect(queued.map((p) => [p.metric, p.value])).toEqual(Array.from({ length: 20 }, (_, i) => [`${(i + 5) % 2 ? 'a' : 'b'}.count`, i + 5]));
    expect(values.slice(5).filter((v) => v < 5).every((v, i, a) => i === 0 || v > (a[i - 1] as number))).toBe(true);
    expect(t.channels()['line/+/count']?.state).toBe('connected');
    const reports = t.problems.filter((p) => p.key === 'mqtt.connection' && p.kind === 'report');
    expect(reports[0]?.message).toMatch(/connection lost .*; reconnecting with backoff/);
    expect(reports.filter((p) => p.logged)).toHaveLength(1);
  });
});
