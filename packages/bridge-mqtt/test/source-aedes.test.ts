import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { startAedes } from './helpers/aedes.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

const track = trackCleanups();

async function setup(subscriptions: unknown[], extra: Record<string, unknown> = {}) {
  const aedes = await startAedes();
  track.defer(() => aedes.close());
  const test = await startSource(section({ url: aedes.url, subscriptions, ...extra }), {}, track);
  await test.subscribed();
  const pub = await connectPublisher(aedes.url);
  track.defer(() => pub.close());
  return { aedes, pub, ...test };
}

describe('bridge-mqtt on aedes (MQTT 3.1.1)', () => {
  it('maps wildcard topics through metric and tag templates', async () => {
    const { pub, t } = await setup([
      { topic: 'plant/+/temperature', metric: '{topic.1}.temperature', value: '$.reading.value', tags: { line: '{topic.1}', sensor: '{json.sensor}' } },
      { topic: 'plant/+/counters/#', format: 'number', metric: '{topic}' },
    ]);
    await pub.publish('plant/line1/temperature', JSON.stringify({ sensor: 'T-7', reading: { value: 21.5 } }));
    await pub.publish('plant/line2/temperature', JSON.stringify({ sensor: 'T-8', reading: { value: '22.25' } }));
    await pub.publish('plant/line1/counters/parts/good', '1042');
    await pub.publish('plant/line1/counters', ' 7 ');
    await t.waitFor(() => t.points.length === 4, '4 points');
    expect(t.points.map(({ timestamp: _, ...p }) => p)).toEqual([
      { metric: 'line1.temperature', value: 21.5, class: 'metric', tags: { line: 'line1', sensor: 'T-7' } },
      { metric: 'line2.temperature', value: 22.25, class: 'metric', tags: { line: 'line2', sensor: 'T-8' } },
      { metric: 'plant.line1.counters.parts.good', value: 1042, class: 'metric' },
      { metric: 'plant.line1.counters', value: 7, class: 'metric' },
    ]);
  });

  it('reads fields, timestamps with units and typed values from one JSON payload', async () => {
    const { pub, t } = await setup([
      {
        topic: 'env/+',
        metric: '{topic.1}.{field}',
        timestamp: { path: '$.ts', unit: 's' },
        fields: {
          temperature: '$.t',
          humidity: { value: '$.h', tags: { unit: '%' } },
          door: { value: '$.flags[0]', type: 'boolean' },
          firmware: { value: "$['fw version']", type: 'string', metric: 'devices.{topic.1}.firmware' },
        },
      },
    ]);
    await pub.publish('env/room1', JSON.stringify({ ts: 1_700_000_000, t: 19.5, h: 40, flags: [true], 'fw version': '1.2.3' }));
    await t.waitFor(() => t.points.length === 4, '4 points');
    expect(t.points).toEqual([
      { metric: 'room1.temperature', value: 19.5, timestamp: 1_700_000_000_000, class: 'metric' },
      { metric: 'room1.humidity', value: 40, timestamp: 1_700_000_000_000, class: 'metric', tags: { unit: '%' } },
      { metric: 'room1.door', value: true, timestamp: 1_700_000_000_000, class: 'event' },
      { metric: 'devices.room1.firmware', value: '1.2.3', timestamp: 1_700_000_000_000, class: 'event' },
    ]);
  });

  it('counts bad payloads and logs them once per topic, never stopping', async () => {
    const { pub, t } = await setup([
      { topic: 'a/+', metric: '{topic.1}', value: '$.v' },
      { topic: 'txt', format: 'text', metric: 'note' },
    ]);
    for (let i = 0; i < 3; i++) await pub.publish('a/x', 'not json');
    await pub.publish('a/y', JSON.stringify({ v: 'high' }));
    await pub.publish('a/y', JSON.stringify({ w: 1 }));
    await pub.publish('a/x', JSON.stringify({ v: 3 }));
    await pub.publish('txt', 'hello');
    await t.waitFor(() => t.points.length === 2, '2 good points');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['x', 3],
      ['note', 'hello'],
    ]);
    const metric = (kind: string) => t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: 'a/+', kind });
    expect([await metric('invalid_json'), await metric('not_a_number'), await metric('missing_value')]).toEqual([3, 1, 1]);
    expect(await t.metric('fieldbridge_source_messages_total', { bridge: 'mqtt', channel: 'a/+' })).toBe(6);
    expect(await t.metric('fieldbridge_source_points_total', { bridge: 'mqtt', channel: 'a/+' })).toBe(1);
    const logged = t.problems.filter((p) => p.kind === 'report' && p.logged).map((p) => p.key);
    expect(logged).toEqual(['mqtt.a/+.a/x.invalid_json', 'mqtt.a/+.a/y.not_a_number', 'mqtt.a/+.a/y.missing_value']);
    expect(t.problems.filter((p) => p.kind === 'resolve').map((p) => p.key)).toEqual(['mqtt.a/+.a/x.invalid_json']);
    expect(Object.entries(t.channels()).map(([name, c]) => [name, c.state])).toEqual([
      ['a/+', 'connected'],
      ['txt', 'connected'],
    ]);
    expect(await t.metric('fieldbridge_source_messages_total', { bridge: 'mqtt', channel: 'txt' })).toBe(1);
  });

  it('counts messages that match no rule: a persistent session kept an older mapping\'s subscription', async () => {
    const aedes = track.add(await startAedes(), (b) => b.close());
    const session = { client_id: 'fb-no-rule', clean: false };
    const old = await startSource(section({ url: aedes.url, ...session, subscriptions: [{ topic: 'old/#', metric: 'old' }] }));
    await old.subscribed();
    await old.source.stop();
    const { t, subscribed } = await startSource(section({ url: aedes.url, ...session, subscriptions: [{ topic: 'new/+', format: 'number', metric: '{topic.1}' }] }), {}, track);
    await subscribed();
    const pub = await connectPublisher(aedes.url);
    track.defer(() => pub.close());
    await pub.publish('old/1', '1');
    await pub.publish('old/2', '2');
    await pub.publish('new/a', '3');
    await t.waitFor(() => t.points.length === 1, 'the mapped point');
    await t.waitFor(() => t.problems.length >= 2, 'two problems');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['a', 3]]);
    expect(await t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: 'none', kind: 'no_rule' })).toBe(2);
    expect(t.problems.map((p) => p.key)).toEqual(['mqtt.none.old/1.no_rule', 'mqtt.none.old/2.no_rule']);
  });
});
