import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();

describe.each([4, 5] as const)('overlapping filters on mosquitto, protocol_version %i', (version) => {
  // A specific rule above a catch-all: mosquitto sends an MQTT 5 client one copy per matching
  // subscription, and each copy was decoded, so every counter reading reached the ingest twice.
  it('decodes a message matching two subscriptions once, by the first, and the catch-all the rest', async () => {
    const prefix = `overlap${version}`;
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        protocol_version: version,
        subscriptions: [
          { topic: `${prefix}/line1/counter`, format: 'number', metric: 'line1.counter' },
          { topic: `${prefix}/line1/#`, metric: 'line1.{topic.2}', value: '$.v' },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = await broker.publisher(track, { protocolVersion: version });
    await pub.publish(`${prefix}/line1/counter`, '42');
    await pub.retain(`${prefix}/line1/counter`, '43');
    await pub.publish(`${prefix}/line1/temp`, '{"v": 21.5}');
    // The copies of the counters come before the temperature: one publisher, one QoS, in order.
    await t.waitFor(() => t.points.some((p) => p.metric === 'line1.temp'), 'the temperature');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['line1.counter', 42],
      ['line1.counter', 43],
      ['line1.temp', 21.5],
    ]);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
    expect(await t.metric('fieldbridge_source_messages_total', { bridge: 'mqtt', channel: `${prefix}/line1/counter` })).toBe(2);
  });
});
