import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { defineBridge, parseMapping, startBridge, startBridges, type Point } from '../src/index.js';
import { createCollectingSink, trackCleanups } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const track = trackCleanups();
const quiet = pino({ level: 'silent' });
const tally = defineBridge({ ...counterBridge, name: 'tally' });

const text = `source_id: plant-a
tags: { site: plant-a, line: '1' }
sink: { url: stdout }
rules:
  - { name: high, when: m >= 0 }
counter:
  channels: [{ name: a, metric: m }]
`;

const seen = (points: Point[]) => points.map((p) => ({ metric: p.metric, source_id: p.source_id, tags: p.tags }));

describe("a caller's sink replaces only the file's sink section", () => {
  it("startBridge: the bridge's points and alert events carry the file's source_id and tags, under the point's own", async () => {
    const mine = createCollectingSink({ sourceId: 'my-app' });
    track.add(mine.sink, (s) => s.close());
    const running = track.add(await startBridge(counterBridge, parseMapping(text, 'map.yaml', counterBridge, {}), { sink: mine.sink, logger: quiet, deferStart: true, tags: { app: 'x' } }), (b) => b.stop());
    await running.once();
    await mine.sink.flush();
    expect(seen(mine.points)).toEqual([
      { metric: 'm', source_id: 'plant-a', tags: { site: 'plant-a', line: '1', app: 'x', channel: 'a' } },
      { metric: 'alert.high', source_id: 'plant-a', tags: expect.objectContaining({ site: 'plant-a', line: '1', rule: 'high', state: 'fired' }) },
    ]);
    // Points written straight to the sink by others keep the sink's own source.
    mine.sink.write({ metric: 'other', value: 1 });
    await mine.sink.flush();
    expect(seen(mine.points).at(-1)).toEqual({ metric: 'other', source_id: 'my-app', tags: undefined });
  });

  it('startBridges: so do the points of every section', async () => {
    const mine = createCollectingSink({ sourceId: 'my-app' });
    track.add(mine.sink, (s) => s.close());
    const several = `${text.replace(/rules:\n.*\n/, '')}tally:\n  channels: [{ name: b, metric: n }]\n`;
    const running = track.add(await startBridges([counterBridge, tally], parseMapping(several, 'map.yaml', [counterBridge, tally], {}), { sink: mine.sink, logger: quiet, deferStart: true }), (b) => b.stop());
    await running.once();
    await mine.sink.flush();
    expect(seen(mine.points).sort((a, b) => a.metric.localeCompare(b.metric))).toEqual([
      { metric: 'm', source_id: 'plant-a', tags: { site: 'plant-a', line: '1', bridge: 'counter', channel: 'a' } },
      { metric: 'n', source_id: 'plant-a', tags: { site: 'plant-a', line: '1', bridge: 'tally', channel: 'b' } },
    ]);
  });

});
