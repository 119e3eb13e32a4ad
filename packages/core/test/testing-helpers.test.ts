import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCollectingSink, describeRefusedMappings, trackCleanups, writeTempFile } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

const track = trackCleanups();

describe('testing helpers', () => {
  it('createCollectingSink parses what a stdout sink prints back into points', async () => {
    const { sink, points } = createCollectingSink({ sourceId: 'helpers' });
    track.defer(() => sink.close());
    sink.write({ metric: 'a', value: 1, timestamp: 1_800_000_000_000 });
    sink.write({ metric: 'b', value: 'x', timestamp: 1_800_000_000_001 });
    await sink.flush();
    expect(points.map((p) => [p.metric, p.value, p.source_id])).toEqual([
      ['a', 1, 'helpers'],
      ['b', 'x', 'helpers'],
    ]);
  });

  let written: string | undefined;
  it('writeTempFile writes a file the tracker removes after the test', async () => {
    written = await writeTempFile(track, 'map.yaml', 'source_id: t\n');
    expect(readFileSync(written, 'utf8')).toBe('source_id: t\n');
  });
  it('(the file of the previous test is gone)', () => {
    expect(written && existsSync(written)).toBe(false);
  });
});

describeRefusedMappings(counterBridge, new URL('./fixtures/bad-counter/', import.meta.url), [
  ['interval.yaml', 3, 16, 'counter.interval_ms', /expected number/],
  ['unknown-key.yaml', 4, 29, 'counter.channels[0].colour', /unknown key/],
]);
