import { isFieldbridgeError, startBridge, type FileConfig } from '@fieldbridge/core';
import { captureLogs, createCollectingSink, trackCleanups } from '@fieldbridge/core/testing';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import { startAedes } from './helpers/aedes.js';
import { probeFreePort } from '../src/testing/mosquitto.js';
import { connectPublisher, section } from './helpers/mqtt.js';
import { until } from '@fieldbridge/core/testing';

const track = trackCleanups();

/** The bridge under the core's runtime, with a sink that collects what it would print (as `--once` runs it). */
async function runtime(mqtt: Record<string, unknown>, logger: Logger = pino({ level: 'silent' })) {
  const { sink, points } = createCollectingSink({ sourceId: 'once' });
  track.defer(() => sink.close());
  const config = { source_id: 'once', sink: { url: 'stdout' }, mqtt: section(mqtt) } as unknown as FileConfig<typeof mqttBridge>;
  const running = await startBridge(mqttBridge, config, { sink, deferStart: true, logger });
  track.add(running, (r) => r.stop());
  return { running, sink, points };
}

async function onceError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('once() resolved');
}

describe('--once (the runtime waits for every subscription)', () => {
  it('returns when every subscription delivered its first message', async () => {
    const aedes = track.add(await startAedes(), (b) => b.close());
    const pub = track.add(await connectPublisher(aedes.url), (p) => p.close());
    await pub.client.publishAsync('once/a', '1', { qos: 1, retain: true });
    await pub.client.publishAsync('once/b', '2', { qos: 1, retain: true });
    const { running, sink, points } = await runtime({ url: aedes.url, subscriptions: [{ topic: 'once/a', format: 'number', metric: 'a' }, { topic: 'once/b', format: 'number', metric: 'b' }] });
    expect(await running.once()).toEqual({ silent: [] });
    await sink.flush();
    expect(points.map((p) => [p.metric, p.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('returns after once_timeout_ms (the default of --once-timeout) naming a silent subscription', async () => {
    const aedes = track.add(await startAedes(), (b) => b.close());
    const { running } = await runtime({ url: aedes.url, once_timeout_ms: 200, subscriptions: [{ topic: 'quiet/#', metric: 'q' }] });
    expect(await running.once()).toEqual({ silent: ['quiet/#'] });
    expect(running.readiness().details.channels).toEqual({ 'quiet/#': 'connected' });
    expect(await running.registry.getSingleMetricAsString('fieldbridge_source_messages_total')).not.toMatch(/quiet/);
  });

  it('says which silent subscription got no message at all (nothing retained there), and which got one that gave no point', async () => {
    const aedes = track.add(await startAedes(), (b) => b.close());
    const pub = track.add(await connectPublisher(aedes.url), (p) => p.close());
    await pub.client.publishAsync('once/bad', 'not a number', { qos: 1, retain: true });
    const { logger, lines: logged } = captureLogs('warn');
    const lines = logged();
    const { running } = await runtime({ url: aedes.url, once_timeout_ms: 300, subscriptions: [{ topic: 'quiet/#', metric: 'q' }, { topic: 'once/bad', format: 'number', metric: 'b' }] }, logger);
    expect(await running.once()).toEqual({ silent: ['quiet/#', 'once/bad'] });
    expect(lines.find((l) => l.msg.startsWith('--once: nothing within'))?.msg).toBe(
      '--once: nothing within 300 ms on quiet/# (connected, but no message came on quiet/# at all: the broker retains none there and nothing was published meanwhile (bridge-mqtt --scan lists the topics the broker has)), ' +
        'once/bad (connected, but nothing it sent gave a point: see its problems above)',
    );
  });

  it('fails naming the broker\'s reason when the broker cannot be reached', async () => {
    const port = await probeFreePort();
    const { running } = await runtime({ url: `mqtt://127.0.0.1:${port}`, once_timeout_ms: 300, reconnect: { initial_ms: 20, max_ms: 50 }, subscriptions: [{ topic: 'x', metric: 'x' }] });
    const err = await onceError(running.once());
    expect(isFieldbridgeError(err, 'BRIDGE_FAILED')).toBe(true);
    expect(err.message).toBe('--once: bridge-mqtt read nothing within 300 ms (x connecting: connection refused (is the broker running and listening there?)); see the log for why');
  });

  it('fails when the broker refuses every subscription, with its reason', async () => {
    const aedes = track.add(await startAedes({ authorizeSubscribe: (_client, _sub, done) => done(null, null) }), (b) => b.close());
    const { running } = await runtime({ url: aedes.url, subscriptions: [{ topic: 'x', metric: 'x' }] });
    const err = await onceError(running.once(5000));
    expect(isFieldbridgeError(err, 'BRIDGE_FAILED')).toBe(true);
    expect(err.message).toContain("(x failed: the broker refused it (unspecified error); check the topic filter and the broker's ACL)");
  });

  it('stop() is idempotent and ends a once() in progress', async () => {
    const aedes = track.add(await startAedes(), (b) => b.close());
    const { running } = await runtime({ url: aedes.url, once_timeout_ms: 600_000, subscriptions: [{ topic: 'never', metric: 'n' }] });
    const once = running.once();
    await until(() => running.readiness().ready, 'subscribed');
    await Promise.all([running.stop(), running.stop()]);
    expect(await once).toEqual({ silent: ['never'] });
    const connected = await running.registry.getSingleMetric('fieldbridge_source_connected')!.get();
    expect(connected.values.find((v) => v.labels.channel === 'never')?.value).toBe(0);
  });
});
