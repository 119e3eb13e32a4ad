// A SIGHUP reload stops the source and starts one for the new mapping: what the broker still
// holds for the bridge (a persistent session's subscriptions) must follow the new mapping.
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

const track = trackCleanups();
const broker = sharedMosquitto();

const multi = { topic: 'dev/+/multi', metric: 'dev.{topic.1}.multi', value: '$.v' };
const temp = { topic: 'dev/+/temp', format: 'number', metric: 'dev.{topic.1}.temp' };

describe.each([
  ['persistent', false],
  ['clean', true],
] as const)('a reload that removes a subscription (%s session)', (_kind, clean) => {
  it('lets the broker forget it: nothing comes on it any more, not even queued', async () => {
    const reloadState = new Map<string, unknown>();
    const mapping = (subscriptions: unknown[]) => section({ url: broker.url, client_id: `fb-reload-${clean}`, clean, subscriptions });
    const before = await startSource(mapping([multi, temp]), {}, undefined, reloadState);
    await before.subscribed();
    await before.source.stop();

    // The reload: the same session, without dev/+/multi.
    const after = await startSource(mapping([temp]), {}, track, reloadState);
    await after.subscribed();
    const pub = await broker.publisher(track);
    await pub.publish('dev/d1/multi', '{"v": 1}', 1);
    await pub.publish('dev/d1/temp', '21', 1);
    await after.t.waitFor(() => after.t.points.length === 1, 'the mapped message');
    expect(after.t.points.map((p) => [p.metric, p.value])).toEqual([['dev.d1.temp', 21]]);
    expect(await after.t.metric('fieldbridge_source_messages_total', { channel: 'none' })).toBe(0);
    expect(after.t.problems.filter((p) => p.key.endsWith('.no_rule'))).toEqual([]);

    // While the bridge is away, the broker queues only what the mapping reads.
    await after.source.stop();
    await pub.publish('dev/d1/multi', '{"v": 2}', 1);
    const again = await startSource(mapping([temp]), {}, track, reloadState);
    await again.subscribed();
    await pub.publish('dev/d1/temp', '22', 1);
    await again.t.waitFor(() => again.t.points.length === 1, 'the next mapped message');
    expect(again.t.points.map((p) => p.value)).toEqual([22]);
    expect(await again.t.metric('fieldbridge_source_messages_total', { channel: 'none' })).toBe(0);
  });
});
