import { afterEach, describe, expect, it } from 'vitest';
import { isMqttBridgeError } from '../src/errors.js';
import { createMqttSource } from '../src/source.js';
import { startAedes } from './helpers/aedes.js';
import { createTestContext } from '@fieldbridge/core/testing';
import { probeFreePort } from './helpers/mosquitto.js';
import { connectPublisher, section } from './helpers/mqtt.js';
import { runCleanups } from './helpers/cleanup.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(() => runCleanups(cleanups));

async function onceError(promise: Promise<void>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('once() resolved');
}

describe('once() (--once)', () => {
  it('returns when every subscription delivered its first message', async () => {
    const aedes = await startAedes();
    cleanups.push(() => aedes.close());
    const pub = await connectPublisher(aedes.url);
    cleanups.push(() => pub.close());
    await pub.client.publishAsync('once/a', '1', { qos: 1, retain: true });
    await pub.client.publishAsync('once/b', '2', { qos: 1, retain: true });
    const t = createTestContext();
    const source = createMqttSource(section({ url: aedes.url, subscriptions: [{ topic: 'once/a', format: 'number', metric: 'a' }, { topic: 'once/b', format: 'number', metric: 'b' }] }), t.ctx);
    cleanups.push(() => source.stop());
    await source.once();
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('returns after once_timeout_ms when a subscription stays silent', async () => {
    const aedes = await startAedes();
    cleanups.push(() => aedes.close());
    const t = createTestContext();
    const source = createMqttSource(section({ url: aedes.url, once_timeout_ms: 200, subscriptions: [{ topic: 'quiet/#', metric: 'q' }] }), t.ctx);
    cleanups.push(() => source.stop());
    await source.once();
    expect(source.subscriptions()).toEqual([{ name: 'quiet/#', topic: 'quiet/#', state: 'connected', messages: 0 }]);
  });

  it('fails with CONNECT_FAILED and the reason when the broker cannot be reached', async () => {
    const port = await probeFreePort();
    const t = createTestContext();
    const source = createMqttSource(section({ url: `mqtt://127.0.0.1:${port}`, once_timeout_ms: 300, reconnect: { initial_ms: 20, max_ms: 50 }, subscriptions: [{ topic: 'x', metric: 'x' }] }), t.ctx);
    cleanups.push(() => source.stop());
    const err = await onceError(source.once());
    expect(isMqttBridgeError(err, 'CONNECT_FAILED')).toBe(true);
    expect((err as Error).message).toBe(`mqtt://127.0.0.1:${port}: connection refused (is the broker running and listening there?) (gave up after once_timeout_ms)`);
  });

  it('fails with SUBSCRIBE_FAILED when the broker refuses every subscription', async () => {
    const aedes = await startAedes({ authorizeSubscribe: (_client, _sub, done) => done(null, null) });
    cleanups.push(() => aedes.close());
    const t = createTestContext();
    const source = createMqttSource(section({ url: aedes.url, subscriptions: [{ topic: 'x', metric: 'x' }] }), t.ctx);
    cleanups.push(() => source.stop());
    const err = await onceError(source.once());
    expect(isMqttBridgeError(err, 'SUBSCRIBE_FAILED')).toBe(true);
    expect((err as Error).message).toBe('the broker refused every subscription (x)');
  });

  it('stop() is idempotent and ends a once() in progress', async () => {
    const aedes = await startAedes();
    cleanups.push(() => aedes.close());
    const t = createTestContext();
    const source = createMqttSource(section({ url: aedes.url, once_timeout_ms: 600_000, subscriptions: [{ topic: 'never', metric: 'n' }] }), t.ctx);
    const once = source.once();
    await t.waitFor(() => source.subscriptions()[0]?.state === 'connected', 'subscribed');
    await Promise.all([source.stop(), source.stop()]);
    await once;
    expect(await t.metric('fieldbridge_mqtt_connected', {})).toBe(0);
  });
});
