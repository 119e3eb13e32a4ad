// Flow control (issue 11): while the sink is full under `when_full: block`, bridge-mqtt stops
// acknowledging, so the broker keeps the messages; nothing is dropped as `blocked`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMapping, startBridge } from '@fieldbridge/core';
import { startFaultProxy, trackCleanups } from '@fieldbridge/core/testing';
import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPacketScanner } from './helpers/packets.js';
import { mqttBridge } from '../src/bridge.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';
import { until } from '@fieldbridge/core/testing';

const track = trackCleanups();

const PUBLISH = 3;
const PUBACK = 4;
const PINGREQ = 12;

/** Counts MQTT packets by type as they cross a fault proxy, and wakes waiters on every count. */
function packetCounter() {
  const counts = new Map<number, number>();
  const waiters = new Set<() => void>();
  const scan = (): ((chunk: Buffer) => void) => {
    const next = createPacketScanner((type) => {
      counts.set(type, (counts.get(type) ?? 0) + 1);
      for (const wake of waiters) wake();
    });
    return (chunk) => void next(chunk);
  };
  return {
    toServer: scan(),
    toClient: scan(),
    count: (type: number) => counts.get(type) ?? 0,
    /** Resolves once `predicate` holds, checked at every packet. */
    until: (predicate: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (!predicate()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** A proxy in front of the broker whose two directions are counted separately. */
async function countedProxy(port: number) {
  const toServer = packetCounter();
  const toClient = packetCounter();
  const proxy = track.add(await startFaultProxy({ target: { port }, toServer: toServer.toServer, toClient: toClient.toClient }), (p) => p.close());
  return { url: `mqtt://127.0.0.1:${proxy.port}`, toServer, toClient };
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  const values = metric ? (await metric.get()).values : [];
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((n, v) => n + v.value, 0);
}

describe('flow control: held acknowledgements', () => {
  it('holds a message unacknowledged while blocked, keeps the connection alive past 1.5 keep-alives, and takes every message once open', async () => {
    const broker = track.add(await startMosquitto({ queue: { maxInflightMessages: 20 } }), (b) => b.close());
    const { url, toServer, toClient } = await countedProxy(broker.port);
    const { t, subscribed } = await startSource(section({ url, keepalive_s: 1, subscriptions: [{ topic: 'flow/+', format: 'number', metric: 'flow' }] }), {}, track);
    await subscribed();
    t.setBlocked(true);
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    for (let i = 0; i < 10; i++) await pub.publish('flow/a', String(i), 1);
    await toClient.until(() => toClient.count(PUBLISH) >= 1);
    // Four pings from the bridge: two keep-alives without an answer read, the connection still up.
    const pings = toServer.count(PINGREQ);
    await toServer.until(() => toServer.count(PINGREQ) >= pings + 4);
    expect(toServer.count(PUBACK)).toBe(0);
    expect(t.points).toEqual([]);
    expect(await t.metric('fieldbridge_mqtt_connects_total', { result: 'ok' })).toBe(1);
    expect(t.problems.filter((p) => p.key === 'mqtt.connection')).toEqual([]);
    t.setBlocked(false);
    await t.waitFor(() => t.points.length === 10, 'every message');
    expect(t.valuesOf('flow')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await toServer.until(() => toServer.count(PUBACK) === 10);
  });

  it('end to end: a full spool under when_full: block and a gateway refusing everything lose nothing, and every message arrives once it is back', async () => {
    const N = 2000;
    // The broker keeps what the bridge does not acknowledge: room for every message, 10 in flight.
    const broker = track.add(await startMosquitto({ queue: { maxQueuedMessages: N, maxInflightMessages: 10 } }), (b) => b.close());
    const { url, toServer } = await countedProxy(broker.port);
    const gw = track.add(await createGateway({ apiKeys: ['k'] }), (g) => g.close());
    gw.setFaults({ status: 503 });
    const dir = await mkdtemp(join(tmpdir(), 'bridge-mqtt-flow-'));
    track.defer(() => rm(dir, { recursive: true, force: true }));
    const mapping = `
source_id: flow
sink:
  url: '${gw.url}'
  api_key: k
  batch: { max_points: 50, linger_ms: 20ms }
  # Stored plain, 2000 messages are several times the smallest cap (gzip would fit them all).
  gzip: false
  buffer: { path: '${dir}', max_bytes: 64KiB, when_full: block }
  retry: { initial_delay_ms: 20ms, max_delay_ms: 200ms }
mqtt:
  url: ${url}
  client_id: flow-bridge
  clean: false
  keepalive_s: 1
  subscriptions:
    - { topic: 'flow/+', qos: 1, format: number, metric: 'flow.{topic.1}' }
`;
    const running = track.add(await startBridge(mqttBridge, parseMapping(mapping, 'flow.yaml', mqttBridge, {}), { logger: pino({ level: 'silent' }) }), (b) => b.stop());
    await until(() => running.readiness().ready, 'subscribed');
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    for (let i = 0; i < N; i++) await pub.publish('flow/m', String(i), 1);
    await until(() => (running.readiness().details as { sink: { backpressured: boolean } }).sink.backpressured, 'the spool full');
    // Settled: the bridge holds a message and keeps the connection up with its own pings.
    let pings = toServer.count(PINGREQ);
    await toServer.until(() => toServer.count(PINGREQ) >= pings + 2);
    const taken = await metricValue(running.registry, 'fieldbridge_source_messages_total', { channel: 'flow/+' });
    const acked = toServer.count(PUBACK);
    pings = toServer.count(PINGREQ);
    await toServer.until(() => toServer.count(PINGREQ) >= pings + 2);
    expect(await metricValue(running.registry, 'fieldbridge_source_messages_total', { channel: 'flow/+' })).toBe(taken);
    expect(toServer.count(PUBACK)).toBe(acked);
    expect(taken).toBeLessThan(N);
    expect(gw.points()).toHaveLength(0);

    gw.setFaults(undefined);
    await until(() => new Set(gw.points().map((p) => p.value)).size === N, `all ${N} messages at the gateway`, 60_000);
    expect([...new Set(gw.points().map((p) => p.value as number))].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(await metricValue(running.registry, 'fieldbridge_points_dropped_total', { reason: 'blocked' })).toBe(0);
    expect(await metricValue(running.registry, 'fieldbridge_source_points_dropped_total', {})).toBe(0);
    expect(await metricValue(running.registry, 'fieldbridge_mqtt_connects_total', { result: 'ok' })).toBe(1);
  });
});
