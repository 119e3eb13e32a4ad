// A filter that matches nothing published (here the case of one level) is granted and connected
// like any other: the bridge looked healthy and read nothing, and nothing ever said so.
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();

describe('a subscription that brings nothing', () => {
  it('is reported once, saying what to compare, and recovers with its first message', async () => {
    const pub = await broker.publisher(track);
    // Retained: it comes right after the SUBACK, long before the wait ends.
    await pub.retain('quiet/line1/temp', '21.5');
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        subscriptions: [
          { topic: 'quiet/Line1/+', format: 'number', metric: 'q.{topic.2}' },
          { topic: 'quiet/line1/+', format: 'number', metric: 'l.{topic.2}' },
        ],
      }),
      { quietMs: 300 },
      track,
    );
    await subscribed();
    await t.waitFor(() => t.problems.some((p) => p.kind === 'report' && p.key === 'mqtt.quiet.quiet/Line1/+'), 'the quiet subscription reported');
    const report = t.problems.find((p) => p.key === 'mqtt.quiet.quiet/Line1/+');
    expect(report?.message).toBe(
      'subscription quiet/Line1/+: no message in 300ms since the broker granted quiet/Line1/+, and it retains none there: expected for a topic of rare events, else no topic the filter matches is published. Compare it with the topics the broker carries (bridge-mqtt --scan lists them): levels are case-sensitive, + is one level and # every level below',
    );
    // The one that brought a message is not reported.
    expect(t.problems.filter((p) => p.key.startsWith('mqtt.quiet.')).map((p) => p.key)).toEqual(['mqtt.quiet.quiet/Line1/+']);
    await pub.publish('quiet/Line1/temp', '22');
    await t.waitFor(() => t.problems.some((p) => p.kind === 'resolve' && p.key === 'mqtt.quiet.quiet/Line1/+'), 'the episode ended');
    expect(t.valuesOf('q.temp')).toEqual([22]);
  });
});
