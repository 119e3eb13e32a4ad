import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { section, startSource, type Publisher } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();

describe.each([
  [4, 'MQTT 3.1.1'],
  [5, 'MQTT 5'],
] as const)('bridge-mqtt on mosquitto, protocol_version %i (%s)', (version, _name) => {
  it('receives wildcard subscriptions at their QoS and maps them', async () => {
    const prefix = `v${version}`;
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        protocol_version: version,
        subscriptions: [
          { topic: `${prefix}/+/temp`, qos: 0, metric: '{topic.1}.temp', value: '$.t' },
          { topic: `${prefix}/alarms/#`, qos: 2, format: 'text', metric: 'alarms.{topic.2}' },
          { name: 'counters', topic: `${prefix}/count/+`, qos: 1, format: 'number', metric: 'count.{topic.2}', tags: { proto: `v${version}` } },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub: Publisher = await broker.publisher(track, { protocolVersion: version });
    await pub.publish(`${prefix}/l1/temp`, '{"t": 20.5}', 0);
    await pub.publish(`${prefix}/alarms/press/overheat`, 'overheat on press 1', 2);
    await pub.publish(`${prefix}/count/good`, '17', 1);
    await pub.publish(`${prefix}/l2/temp/extra`, '{"t": 1}', 1);
    await t.waitFor(() => t.points.length === 3, '3 points');
    // MQTT orders messages per topic and QoS only: a QoS 2 message completes its handshake last.
    expect(t.points.map((p) => [p.metric, p.value, p.tags]).sort()).toEqual([
      ['alarms.press', 'overheat on press 1', undefined],
      ['count.good', 17, { proto: `v${version}` }],
      ['l1.temp', 20.5, undefined],
    ]);
    expect(Object.values(t.channels()).map((c) => c.state)).toEqual(['connected', 'connected', 'connected']);
    expect(t.states.filter((s) => s.channel === 'counters').map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(await t.metric('fieldbridge_source_messages_total', { bridge: 'mqtt', channel: 'counters' })).toBe(1);
    expect(await t.metric('fieldbridge_source_points_total', { bridge: 'mqtt', channel: 'counters' })).toBe(1);
  });
});

describe('connection failures', () => {
  it('reports a broker that is not there, then connects when it appears', async () => {
    const late = track.add(await startMosquitto(), (b) => b.close());
    const url = late.url;
    await late.stop();
    const { t, subscribed } = await startSource(
      section({ url, reconnect: { initial_ms: 50, max_ms: 200 }, subscriptions: [{ topic: 'late/x', format: 'number', metric: 'late' }] }),
      { stableMs: 0 },
      track,
    );
    await t.waitFor(() => t.problems.some((p) => p.kind === 'report' && p.key === 'mqtt.connection'), 'a connection problem');
    const first = t.problems.find((p) => p.key === 'mqtt.connection');
    expect(first?.message).toMatch(/connection refused \(is the broker running and listening there\?\); next attempt in \d+ ms/);
    await late.start();
    await subscribed();
    expect(t.problems.filter((p) => p.key === 'mqtt.connection' && p.logged)).toHaveLength(1);
    expect(t.problems.at(-1)).toMatchObject({ kind: 'resolve', key: 'mqtt.connection' });
    expect(await t.metric('fieldbridge_source_connected', { bridge: 'mqtt', channel: 'late/x' })).toBe(1);
  });
});
