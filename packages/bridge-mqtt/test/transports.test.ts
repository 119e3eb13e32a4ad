import { parseMapping } from '@fieldbridge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import type { MqttConfig } from '../src/config.js';
import { startAedes, type AedesBroker } from './helpers/aedes.js';
import { makeTestCerts, trackCleanups, type TestCerts } from '@fieldbridge/core/testing';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

let certs: TestCerts;
let aedes: AedesBroker;
beforeAll(async () => {
  certs = await makeTestCerts();
  aedes = await startAedes({
    ws: true,
    wss: { cert: certs.serverCert, key: certs.serverKey },
    authenticate: (_client, username, password, done) => {
      const ok = username === 'bridge' && password?.toString() === 's3cret';
      done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), ok);
    },
  });
});
afterAll(async () => {
  await aedes?.close();
  await certs?.remove();
});

const track = trackCleanups();

/** The `mqtt:` section of a mapping file, credentials from the environment as in production. */
function fromFile(url: string, extra: string, env: Record<string, string>): MqttConfig {
  const text = `source_id: t\nmqtt:\n  url: ${url}\n  username: \${MQTT_USERNAME}\n  password: \${MQTT_PASSWORD}\n${extra}  subscriptions:\n    - { topic: 'ws/+', format: number, metric: 'ws.{topic.1}' }\n`;
  return parseMapping(text, 'map.yaml', mqttBridge, env).mqtt as MqttConfig;
}

const creds = { MQTT_USERNAME: 'bridge', MQTT_PASSWORD: 's3cret' };

describe('transports and credentials (aedes)', () => {
  it.each([
    ['ws://', () => aedes.wsUrl!, ''],
    ['wss:// with a test CA', () => aedes.wssUrl!, () => `  tls: { ca: '${certs.ca}' }\n`],
  ] as const)('connects over %s with username and password from the environment', async (_name, url, tls) => {
    const config = fromFile(url(), typeof tls === 'function' ? tls() : tls, creds);
    const { t, subscribed } = await startSource(config, {}, track);
    await subscribed();
    const pub = await connectPublisher(aedes.url, { username: 'bridge', password: 's3cret' });
    track.defer(() => pub.close());
    await pub.publish('ws/a', '12.5');
    await t.waitFor(() => t.points.length === 1, 'a point');
    expect(t.points[0]).toMatchObject({ metric: 'ws.a', value: 12.5 });
  });

  it('reports refused credentials clearly and keeps retrying with backoff', async () => {
    const config = fromFile(aedes.url, '  reconnect: { initial_ms: 20, max_ms: 40 }\n', { MQTT_USERNAME: 'bridge', MQTT_PASSWORD: 'wrong' });
    const { t, source } = await startSource(config, {}, track);
    await t.waitFor(() => t.problems.filter((p) => p.key === 'mqtt.connection.refused').length >= 3, 'three failed attempts');
    const reports = t.problems.filter((p) => p.key === 'mqtt.connection.refused');
    expect(reports[0]?.message).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+: the broker refused the connection: Bad username or password \(check username and password, and the broker's ACL\); next attempt in \d+ ms$/);
    expect(reports.filter((p) => p.logged)).toHaveLength(1);
    expect(await t.metric('fieldbridge_mqtt_connects_total', { result: 'failed' })).toBeGreaterThanOrEqual(3);
    expect(t.channels()['ws/+']).toMatchObject({ state: 'failed', reason: expect.stringContaining('Bad username or password') });
  });

  it('refuses a subscription the broker does not allow, and says so per subscription', async () => {
    const strict = await startAedes({
      // A null subscription is a refusal (SUBACK 0x80); an error would drop the connection.
      authorizeSubscribe: (_client, sub, done) => done(null, sub.topic.startsWith('secret/') ? null : sub),
    });
    track.defer(() => strict.close());
    const { t, source } = await startSource(
      section({ url: strict.url, subscriptions: [{ topic: 'open/+', format: 'number', metric: 'o' }, { topic: 'secret/+', format: 'number', metric: 's' }] }),
      {},
      track,
    );
    await t.waitFor(() => Object.values(t.channels()).every((c) => c.state !== 'connecting'), 'both answered');
    expect(Object.entries(t.channels()).map(([name, c]) => [name, c.state])).toEqual([
      ['open/+', 'connected'],
      ['secret/+', 'failed'],
    ]);
    expect(t.problems.find((p) => p.key === 'mqtt.subscribe.secret/+')?.message).toBe("subscription secret/+: the broker refused it (unspecified error); check the topic filter and the broker's ACL");
  });
});
