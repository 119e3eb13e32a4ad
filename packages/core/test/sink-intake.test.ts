import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gateway } from '@fieldbridge/gateway-dev';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Point, SinkOptions } from '../src/index.js';
import { sinkAt, startGateway, tempDir } from './helpers/ws-sink.js';

// What write() takes is captured at the call (issue: the sink kept the caller's objects and
// serialised them when the batch sealed, up to linger_ms later).
let gateway: Gateway;
let dir: string;
beforeEach(async () => {
  gateway = await startGateway();
  dir = tempDir();
});

const T0 = 1_700_000_000_000;
const sink = (o: Partial<SinkOptions> = {}) =>
  sinkAt(gateway.url, {
    sourceId: 'intake',
    deadLetterPath: join(dir, 'dead.ndjson'),
    // Sealed only by flush() or max_points: whatever the caller does meanwhile happens before the seal.
    batch: { lingerMs: 600_000 },
    ...o,
  });
type Record = { reason: string; source_id: string; point: unknown };
const deadLetters = (): Record[] => {
  let text = '';
  try {
    text = readFileSync(join(dir, 'dead.ndjson'), 'utf8');
  } catch {
    return [];
  }
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record);
};
const stored = (metric: string) => gateway.points({ metric });

describe('write() captures the point as it was at the call', () => {
  it('sends an event value and tags as written, whatever the caller changes afterwards', async () => {
    const s = sink();
    const state: { [k: string]: unknown } = { mode: 'auto', n: 1, list: [1, 2] };
    const tags: { [k: string]: string } = { unit: 'a' };
    s.write({ metric: 'state', value: state, timestamp: T0 });
    s.write({ metric: 'tagged', value: 1, timestamp: T0, tags });
    const point: Point = { metric: 'reused', value: 5, timestamp: T0 };
    s.write(point);
    state.n = 2;
    (state.list as number[]).push(3);
    tags.unit = 'b';
    // 20 more tags: 21 in all, which the gateway refuses (400) if they were sent.
    for (let i = 0; i < 20; i++) tags[`k${i}`] = 'v';
    point.value = 6;
    point.metric = 'other';
    await s.flush({ timeoutMs: 5000 });
    expect(stored('state').map((p) => p.value)).toEqual([{ mode: 'auto', n: 1, list: [1, 2] }]);
    expect(stored('tagged').map((p) => p.tags)).toEqual([{ unit: 'a' }]);
    expect(stored('reused').map((p) => p.value)).toEqual([5]);
    expect(stored('other')).toEqual([]);
    expect(deadLetters()).toEqual([]);
  });

  it('a value made circular or given a BigInt after write() is still sent as written, and nothing throws', async () => {
    const s = sink();
    const circular: { [k: string]: unknown } = { n: 1 };
    const big: { [k: string]: unknown } = { n: 2 };
    s.write({ metric: 'circular', value: circular, timestamp: T0 });
    s.write({ metric: 'big', value: big, timestamp: T0 });
    circular.self = circular;
    big.big = 10n;
    await expect(s.flush({ timeoutMs: 5000 })).resolves.toBeUndefined();
    expect(stored('circular').map((p) => p.value)).toEqual([{ n: 1 }]);
    expect(stored('big').map((p) => p.value)).toEqual([{ n: 2 }]);
    expect(await s.close()).toMatchObject({ lost: 0, kept: 0, refused: 0 });
  });

  it('a batch that fills inside write() after such a change seals, with every point in it', async () => {
    const s = sink({ batch: { maxPoints: 3, lingerMs: 600_000 } });
    const state: { [k: string]: unknown } = { n: 1 };
    s.write({ metric: 'state', value: state, timestamp: T0 });
    state.self = state;
    expect(() => {
      s.send('a', 1, { timestamp: T0 });
      s.send('b', 2, { timestamp: T0 });
    }).not.toThrow();
    await s.flush({ timeoutMs: 5000 });
    expect(gateway.points().map((p) => [p.metric, p.value])).toEqual([
      ['state', { n: 1 }],
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('refuses at write() a value JSON cannot encode, with the reason; its batch goes on without it', async () => {
    const s = sink();
    const circular: { [k: string]: unknown } = { n: 1 };
    circular.self = circular;
    expect(s.write({ metric: 'circular', value: circular, timestamp: T0 })).toBe(false);
    expect(s.write({ metric: 'big', value: { x: 10n }, timestamp: T0 })).toBe(false);
    expect(s.write({ metric: 'ok', value: 1, timestamp: T0 })).toBe(true);
    const records = deadLetters();
    expect(records.map((r) => r.reason)).toEqual([expect.stringMatching(/^value cannot be encoded as JSON: .*circular/i), expect.stringMatching(/^value cannot be encoded as JSON: .*BigInt/i)]);
    expect(records[0]!.point).toEqual({ metric: 'circular', value: { n: 1, self: { $type: 'circular', $text: expect.any(String) } }, timestamp: T0 });
    expect(records[1]!.point).toEqual({ metric: 'big', value: { x: { $type: 'bigint', $text: '10' } }, timestamp: T0 });
    await s.flush({ timeoutMs: 5000 });
    expect(gateway.points().map((p) => p.metric)).toEqual(['ok']);
  });

  it('answers false for a point it refuses and true for one it takes', async () => {
    const s = sink({ tags: { site: 'a' } });
    expect(s.write({ metric: 'm', value: 1, timestamp: T0 })).toBe(true);
    expect(s.write({ metric: 'm', value: 1, timestamp: 1_700_000_000 })).toBe(false);
    expect(s.write({ metric: 'm', value: 1, source_id: 'BAD ID' })).toBe(false);
    expect(s.write(null as unknown as Point)).toBe(false);
    // 16 of its own, 17 with the sink's: recorded with the sink's tags, which made too many.
    const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v']));
    expect(s.write({ metric: 'many', value: 1, timestamp: T0, tags: sixteen })).toBe(false);
    expect(deadLetters().at(-1)).toMatchObject({ reason: "with the sink's tags: more than 16 tags", point: { metric: 'many', tags: { site: 'a', ...sixteen } } });
    // The close says how many it refused, and where they went.
    expect(await s.close()).toMatchObject({ lost: 0, kept: 0, refused: 4, deadLetterPath: expect.stringMatching(/\.ndjson$/) });
    expect(s.write({ metric: 'm', value: 1, timestamp: T0 })).toBe(false);
  });

  it("keeps the sink's tags as they were given, under each point's own", async () => {
    const sinkTags: { [k: string]: string } = { site: 'a' };
    const s = sink({ tags: sinkTags });
    s.write({ metric: 'm', value: 1, timestamp: T0 });
    s.write({ metric: 'm', value: 2, timestamp: T0, tags: { line: 'l1', site: 'own' } });
    sinkTags.site = 'changed';
    s.write({ metric: 'm', value: 3, timestamp: T0 });
    await s.flush({ timeoutMs: 5000 });
    expect(stored('m').map((p) => [p.value, p.tags])).toEqual([
      [1, { site: 'a' }],
      [2, { site: 'own', line: 'l1' }],
      [3, { site: 'a' }],
    ]);
  });
});

describe('dead-letter records show what was refused', () => {
  it('NaN, Infinity, an undefined point and a BigInt value as text with their type, not null or "[object Object]"', async () => {
    const s = sink();
    s.write({ metric: 'nan', value: Number.NaN, timestamp: T0 });
    s.write({ metric: 'inf', value: -Infinity, timestamp: T0 });
    s.write(undefined as unknown as Point);
    s.write({ metric: 'bigint', value: 10n as unknown as number, timestamp: T0 });
    s.write({ metric: 'missing', value: undefined as unknown as number, timestamp: T0 });
    const points = deadLetters().map((r) => r.point);
    expect(points).toEqual([
      { metric: 'nan', value: { $type: 'number', $text: 'NaN' }, timestamp: T0 },
      { metric: 'inf', value: { $type: 'number', $text: '-Infinity' }, timestamp: T0 },
      { $type: 'undefined' },
      { metric: 'bigint', value: { $type: 'bigint', $text: '10' }, timestamp: T0 },
      { metric: 'missing', value: { $type: 'undefined' }, timestamp: T0 },
    ]);
  });
});
