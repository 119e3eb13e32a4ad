import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCollectingSink, createTestContext, describeRefusals, seededRandom, trackCleanups, writeTempFile } from '../src/testing/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

describe('testing kit: seededRandom', () => {
  it('repeats its sequence for a seed, differs between seeds, and stays in [0, 1)', () => {
    const take = (seed: number): number[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 1000 }, () => random());
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
    const values = take(42);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    // Spread over the interval, not stuck in a corner: every tenth gets a share.
    for (let d = 0; d < 10; d++) expect(values.filter((v) => Math.floor(v * 10) === d).length).toBeGreaterThan(50);
  });
});

describe('testing kit: createTestContext', () => {
  it("carries the file's source_id a test gives, `test` otherwise", () => {
    expect(createTestContext().ctx.sourceId).toBe('test');
    expect(createTestContext({ sourceId: 'field-a' }).ctx.sourceId).toBe('field-a');
  });
});

describe('testing kit: trackCleanups', () => {
  const track = trackCleanups();
  let made: string | undefined;
  it('gives a fresh temp folder per call', async () => {
    const [a, b] = [await track.tempDir('kit-'), await track.tempDir('kit-')];
    expect(a).not.toBe(b);
    await writeFile(join(a, 'file'), 'x');
    made = a;
  });
  it('removed it, with its contents, after the test that made it', () => {
    expect(made && existsSync(made)).toBe(false);
  });
});

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

describeRefusals(counterBridge, new URL('./fixtures/bad-counter/', import.meta.url), [
  ['interval.yaml', 3, 16, 'counter.interval_ms', /expected number/],
  ['unknown-key.yaml', 4, 29, 'counter.channels[0].colour', /unknown key/],
]);
