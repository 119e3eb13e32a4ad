// A persistent session (clean: false) keeps QoS 1 messages at the broker while the bridge is
// away, unless the broker itself forgot the session (restarted without persistence, or the
// session expired): then what was queued is gone, and a reconnect that finds no session says so.
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { collectingLogger, connectPublisher, section, startSource } from './helpers/mqtt.js';

const track = trackCleanups();
const WARNING = /^mqtt:\/\/127\.0\.0\.1:\d+: the broker did not keep the session: messages published while disconnected may be lost; check the broker's persistence \(client id fb-lost-(true|false), clean: false;/;

describe.each([
  ['without persistence', false, 1],
  ['with persistence', true, 0],
] as const)('a broker restarted %s', (_kind, persistence, lost) => {
  it(`${lost ? 'makes the reconnect warn once, and count it' : 'keeps the session: no warning'}`, async () => {
    const broker = track.add(await startMosquitto({ persistence }), (b) => b.close());
    const log = collectingLogger();
    const config = section({
      url: broker.url,
      client_id: `fb-lost-${persistence}`,
      clean: false,
      reconnect: { initial_ms: 20, max_ms: 100 },
      subscriptions: [{ topic: 'line/+/count', qos: 1, format: 'number', metric: '{topic.1}.count' }],
    });
    const { t, subscribed } = await startSource(config, {}, track, undefined, { logger: log.logger });
    await subscribed();
    const warnings = () => log.lines().filter((l) => l.level === 40).map((l) => l.msg);
    // The first connection of a process finds no session either: nothing was queued for it yet.
    expect(warnings()).toEqual([]);

    await broker.stop();
    await t.waitFor(() => t.channels()['line/+/count']?.state === 'disconnected', 'the bridge to see the broker go');
    await broker.start();
    await t.waitFor(() => t.channels()['line/+/count']?.state === 'connected', 'the bridge back');
    expect(warnings()).toHaveLength(lost);
    for (const warning of warnings()) expect(warning).toMatch(WARNING);
    expect(await t.metric('fieldbridge_mqtt_sessions_lost_total', {})).toBe(lost);

    // Subscribed again either way: what comes now is read.
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await pub.publish('line/a/count', '1', 1);
    await t.waitFor(() => t.points.length === 1, 'a message after the restart');
    expect(warnings()).toHaveLength(lost);
  });
});
