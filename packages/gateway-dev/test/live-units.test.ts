import { describe, expect, it } from 'vitest';
import { createReplayRing } from '../src/_live-ring.js';
import { addSample, createPending, finishPending, SAMPLES_PER_EVENT } from '../src/_live-samples.js';
import { createSeriesTable, eventText, HISTORY_SAMPLES } from '../src/_live-series.js';
import { createSourceTable } from '../src/_live-sources.js';
import type { StoredPoint } from '../src/index.js';

const times = (flat: Array<number | string>): Array<number | string> => flat.filter((_, i) => i % 2 === 0);

describe('thinning the points of one interval', () => {
  it('keeps every point while they fit', () => {
    const p = createPending();
    for (let i = 0; i < 10; i++) addSample(p, i, i * 10);
    expect(finishPending(p)).toEqual(Array.from({ length: 10 }, (_, i) => [i, i * 10]).flat());
    expect(p.n).toBe(10);
  });

  it('halves evenly when full and always ends with the last point', () => {
    // Traced by hand: stride 1 keeps 0..15; at 16 keep 0,2..14 and stride 2 (..30); at 32 keep
    // 0,4..28 and stride 4 (..60); at 64 keep 0,8..56 and stride 8: 64,72,80,88,96; 99 is last.
    const p = createPending();
    for (let i = 0; i < 100; i++) addSample(p, i, -i);
    const flat = finishPending(p);
    expect(times(flat)).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 99]);
    expect(flat[flat.length - 1]).toBe(-99);
    expect(p.n).toBe(100);
  });

  it('never holds more than the limit, however many points come', () => {
    for (const n of [16, 17, 31, 32, 33, 1000, 12_345]) {
      const p = createPending();
      for (let i = 0; i < n; i++) {
        addSample(p, i, i);
        expect(p.flat.length).toBeLessThanOrEqual(2 * SAMPLES_PER_EVENT);
      }
      const flat = finishPending(p);
      expect(flat.length).toBeLessThanOrEqual(2 * SAMPLES_PER_EVENT);
      expect(flat[flat.length - 2]).toBe(n - 1);
      expect(times(flat)).toEqual([...times(flat)].sort((a, b) => Number(a) - Number(b)));
    }
  });
});

describe('points out of time order (a backlog on two lanes, a resend beside live data)', () => {
  it('gives the samples in time order, ending with the newest point, however they were thinned', () => {
    const p = createPending();
    // The newest point comes first, then 99 older ones, newest to oldest.
    addSample(p, 1000, 'newest');
    for (let i = 99; i > 0; i--) addSample(p, i, `v${i}`);
    const flat = finishPending(p);
    expect(flat.length).toBeLessThanOrEqual(2 * SAMPLES_PER_EVENT);
    expect(times(flat)).toEqual([...times(flat)].sort((a, b) => Number(a) - Number(b)));
    expect(flat.slice(-2)).toEqual([1000, 'newest']);
  });

  it('keeps a series at its newest value when an older point arrives later, its history in time order', () => {
    const table = createSeriesTable(10);
    const point = (value: number, timestamp: number): StoredPoint => ({ metric: 'tank.level', value, timestamp, source_id: 'farm', received_at_ms: 0 });
    table.add(point(55, 5000));
    table.add(point(54, 4000));
    table.commit(10_000);
    table.add(point(7, 1000));
    table.commit(11_000);
    const [row] = table.rows();
    expect({ count: row![6], t: row![8], value: row![9] }).toEqual({ count: 3, t: 5000, value: 55 });
    expect(table.history([1], 0)).toEqual({ 1: [1000, 7, 4000, 54, 5000, 55] });
  });
});

describe('the replay ring', () => {
  it('returns the frames after an id it holds, [] when current, undefined otherwise', () => {
    const ring = createReplayRing(100, 3, 1_000_000);
    for (const f of ['a', 'b', 'c', 'd']) ring.push(f);
    expect(ring.lastId()).toBe(104);
    expect(ring.since(104, 1e6)).toEqual([]);
    expect(ring.since(103, 1e6)).toEqual(['d']);
    expect(ring.since(101, 1e6)).toEqual(['b', 'c', 'd']);
    expect(ring.since(100, 1e6)).toBeUndefined();
    expect(ring.since(105, 1e6)).toBeUndefined();
    expect(ring.since(101.5, 1e6)).toBeUndefined();
  });

  it('is bounded by bytes, and a replay larger than the caller allows is refused', () => {
    const ring = createReplayRing(0, 1000, 10);
    for (const f of ['aaaa', 'bbbb', 'cccc', 'dddd']) ring.push(f);
    expect(ring.since(2, 1e6)).toEqual(['cccc', 'dddd']);
    expect(ring.since(1, 1e6)).toBeUndefined();
    expect(ring.since(2, 7)).toBeUndefined();
    ring.clear(50);
    expect(ring.since(50, 1e6)).toEqual([]);
    expect(ring.since(4, 1e6)).toBeUndefined();
    ring.push('e');
    expect(ring.lastId()).toBe(51);
  });

  it('keeps working past its compaction point', () => {
    const ring = createReplayRing(0, 5, 1e9);
    for (let i = 1; i <= 5000; i++) ring.push(`f${i}`);
    expect(ring.since(4997, 1e9)).toEqual(['f4998', 'f4999', 'f5000']);
    expect(ring.since(4994, 1e9)).toBeUndefined();
  });
});

const point = (metric: string, value: unknown, extra: Partial<StoredPoint> = {}): StoredPoint => ({ metric, value, source_id: 'a', received_at_ms: 1000, ...extra });

describe('the series table', () => {
  it('measures a first rate after 1 s from what came after its first arrival, then over 5 s windows, reporting changes down to 0', () => {
    const table = createSeriesTable(100);
    // The first arrival starts the window: its points belong to the time before it.
    for (let i = 0; i < 10; i++) table.add(point('m', i));
    expect(table.commit(1000).rates).toEqual([]);
    for (let i = 0; i < 8; i++) table.add(point('m', i));
    expect(table.commit(1500).rates).toEqual([]);
    expect(table.commit(2000).rates).toEqual([1, 8]);
    for (let i = 0; i < 40; i++) table.add(point('m', i));
    expect(table.commit(4000).rates).toEqual([]);
    expect(table.commit(7000).rates).toEqual([]);
    // Arrivals 4 s apart: the window is two of them (8 s), not 5 s.
    for (let i = 0; i < 20; i++) table.add(point('m', i));
    expect(table.commit(8000).rates).toEqual([]);
    expect(table.commit(12_000).rates).toEqual([]);
    expect(table.commit(15_000).rates).toEqual([1, 2.5]);
    expect(table.commit(23_000).rates).toEqual([1, 0]);
    expect(table.commit(25_000).rates).toEqual([]);
    // Two points at one moment after a pause are no rate yet: the next arrival makes one.
    table.add(point('m', 1));
    table.add(point('m', 2));
    expect(table.commit(30_000).rates).toEqual([]);
    expect(table.commit(31_000).rates).toEqual([]);
    table.add(point('m', 3));
    expect(table.commit(32_000).rates).toEqual([1, 0.5]);
  });

  it('gives a slow series its own rate: a tag every 30 s is 0.0333/s, never one point in a short window (1/s) or 0', () => {
    const table = createSeriesTable(100);
    const tag = (t: number) => {
      table.add(point('tag', t));
      return table.commit(t).rates;
    };
    expect(tag(0)).toEqual([]);
    expect(table.commit(1000).rates).toEqual([]);
    expect(table.commit(5000).rates).toEqual([]);
    expect(tag(30_000)).toEqual([1, 0.0333]);
    // Measured over two of its intervals from then on: no flicker to 0 between its points.
    for (let t = 30_250; t < 60_000; t += 250) expect(table.commit(t).rates).toEqual([]);
    expect(tag(60_000)).toEqual([]);
    expect(tag(90_000)).toEqual([]);
    // A tag every 5 min keeps three significant digits (0.00333/s).
    const slow = createSeriesTable(100);
    for (const t of [0, 300_000]) slow.add(point('rare', t)), slow.commit(t);
    expect(slow.rows()[0]![7]).toBe(0.00333);
    // It stopped: after two intervals with nothing, its rate is 0.
    expect(table.commit(150_000).rates).toEqual([1, 0]);
  });

  it('gives a slow source its own rate as a slow series has: a BLE gateway posting every 30 s is 0.0333/s on its card, never 1/s then nothing', () => {
    const sources = createSourceTable(10);
    const rates: number[] = [];
    const commit = (t: number) => {
      for (const src of sources.commit(t)) rates.push(src.rate);
    };
    for (let t = 0; t <= 120_000; t += 250) {
      if (t % 30_000 === 0) sources.stored(new Map([['ble-gw', 1]]), 'http', t);
      commit(t);
    }
    // Nothing until its second post, then its own rate every time its card changes.
    const known = rates.indexOf(0.0333);
    expect(known).toBeGreaterThan(0);
    expect(rates.slice(0, known).every((r) => r === 0), `rates before: ${rates.slice(0, known).join(', ')}`).toBe(true);
    expect(new Set(rates.slice(known))).toEqual(new Set([0.0333]));
    expect(sources.all()[0]!.rate).toBe(0.0333);
    // One point and nothing more is no rate at all.
    const once = createSourceTable(10);
    once.stored(new Map([['one-shot', 1]]), 'http', 0);
    for (let t = 0; t <= 20_000; t += 250) once.commit(t);
    expect(once.all()[0]!.rate).toBe(0);
  });

  it('gives a series sent in batches its points\' rate: ten points every 10 s is 1/s', () => {
    const table = createSeriesTable(100);
    const batch = (t: number) => {
      for (let i = 0; i < 10; i++) table.add(point('batched', i));
      return table.commit(t).rates;
    };
    expect(batch(0)).toEqual([]);
    expect(batch(10_000)).toEqual([1, 1]);
    expect(batch(20_000)).toEqual([]);
    expect(batch(30_000)).toEqual([]);
    expect(table.rows()[0]![7]).toBe(1);
  });

  it('tells series apart by kind, source, metric and tags (in any order)', () => {
    const table = createSeriesTable(100);
    table.add(point('m', 1, { tags: { a: '1', b: '2' } }));
    table.add(point('m', 2, { tags: { b: '2', a: '1' } }));
    table.add(point('m', 3));
    table.add(point('m', 'text'));
    table.add(point('m', 4, { source_id: 'b' }));
    const { decls, samples } = table.commit(0);
    expect(decls.map((d) => [d[1], d[2], d[3], d[5]])).toEqual([
      ['a', 'm', { a: '1', b: '2' }, 'm'],
      ['a', 'm', 0, 'm'],
      ['a', 'm', 0, 'e'],
      ['b', 'm', 0, 'm'],
    ]);
    expect(samples[0]!.slice(0, 2)).toEqual([decls[0]![0], 2]);
  });

  it('keeps the last 120 samples of a numeric series for charts', () => {
    const table = createSeriesTable(100);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) table.add(point('m', round * 10 + i, { timestamp: round * 10 + i }));
      table.commit(0);
    }
    const flat = table.history([1], 0)['1']!;
    expect(flat.length / 2).toBe(HISTORY_SAMPLES);
    expect(flat.filter((_, i) => i % 2 === 1)).toEqual(Array.from({ length: HISTORY_SAMPLES }, (_, i) => 80 + i));
  });

  it('bounds event text', () => {
    expect(eventText('x'.repeat(500))).toHaveLength(200);
    expect(eventText({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(eventText(true)).toBe('true');
  });
});
