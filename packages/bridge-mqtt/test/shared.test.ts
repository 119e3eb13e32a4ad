import { parseMapping, startBridge, type RunningBridge } from '@fieldbridge/core';
import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher } from './helpers/mqtt.js';
import { until } from '@fieldbridge/core/testing';

const track = trackCleanups();

describe('MQTT 5 shared subscription on mosquitto', () => {
  it('splits one stream between two bridge replicas: each gets part, together all', async () => {
    const broker = await startMosquitto();
    track.defer(() => broker.close());
    const gw = await createGateway({ apiKeys: ['k'] });
    track.defer(() => gw.close());
    const replica = async (name: string): Promise<RunningBridge> => {
      const text = `
source_id: ${name}
sink: { url: '${gw.url}', api_key: k, batch: { max_points: 50, linger_ms: 20 } }
mqtt:
  url: ${broker.url}
  protocol_version: 5
  client_id: ${name}
  subscriptions:
    - { topic: '$share/bridges/plant/+/reading', qos: 1, metric: '{topic.1}.reading', value: $.v }
`;
      const bridge = await startBridge(mqttBridge, parseMapping(text, `${name}.yaml`, mqttBridge, {}), { logger: pino({ level: 'silent' }) });
      track.defer(() => bridge.stop());
      return bridge;
    };
    const bridges = [await replica('replica-a'), await replica('replica-b')];
    await until(() => bridges.every((b) => b.readiness().ready), 'both replicas subscribed');

    const N = 200;
    const pub = await connectPublisher(broker.url, { protocolVersion: 5 });
    track.defer(() => pub.close());
    for (let i = 0; i < N; i++) await pub.publish(`plant/m${i % 4}/reading`, JSON.stringify({ v: i }), 1);
    await until(() => gw.stats().points >= N, `${N} points at the gateway`);
    await Promise.all(bridges.map((b) => b.sink.flush()));

    const a = gw.points({ sourceId: 'replica-a' }).map((p) => p.value as number);
    const b = gw.points({ sourceId: 'replica-b' }).map((p) => p.value as number);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.length + b.length).toBe(N);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(gw.points({ sourceId: 'replica-a' })[0]?.metric).toMatch(/^m[0-3]\.reading$/);
  });
});
