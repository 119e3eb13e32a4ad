import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch } from '../src/index.js';
import { createBatcher } from '../src/sink/batcher.js';

const point = (i: number) => ({ metric: 'm', value: i, timestamp: 1_700_000_000_000 + i });

describe('batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (o: { maxPoints?: number; maxBytes?: number; lingerMs?: number }) => {
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 1000, maxBytes: 1 << 20, lingerMs: 1000, run: 'run-1', now: () => Date.now(), onSeal: (b) => sealed.push(b), ...o });
    return { batcher, sealed };
  };

  it('seals at max_points at once', () => {
    const { batcher, sealed } = make({ maxPoints: 10 });
    for (let i = 0; i < 25; i++) batcher.add(point(i));
    expect(sealed.map((b) => b.points.length)).toEqual([10, 10]);
    expect(batcher.pending()).toBe(5);
  });

  it('seals before a batch would pass max_bytes', () => {
    const { batcher, sealed } = make({ maxBytes: 2048 });
    for (let i = 0; i < 100; i++) batcher.add(point(i));
    expect(sealed.length).toBeGreaterThan(1);
    for (const b of sealed) expect(b.bytes).toBeLessThanOrEqual(2048);
    expect(sealed.flatMap((b) => b.points).map((p) => p.value)).toEqual([...Array(sealed.flatMap((b) => b.points).length).keys()]);
  });

  it('seals linger_ms after the first point of a batch', () => {
    const { batcher, sealed } = make({ lingerMs: 500 });
    batcher.add(point(1));
    vi.advanceTimersByTime(499);
    batcher.add(point(2));
    expect(sealed).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.points).toHaveLength(2);
  });

  it('gives every batch a distinct id', () => {
    const { batcher, sealed } = make({ maxPoints: 1 });
    for (let i = 0; i < 50; i++) batcher.add(point(i));
    expect(new Set(sealed.map((b) => b.id)).size).toBe(50);
  });

  it('records which points carry provisional timestamps, with the run that stamped them', () => {
    const { batcher, sealed } = make({ maxPoints: 3 });
    batcher.add(point(0), true);
    batcher.add(point(1));
    batcher.add(point(2), true);
    batcher.add(point(3));
    batcher.seal();
    expect(sealed[0]?.unsynced).toEqual({ run: 'run-1', indices: [0, 2] });
    expect(sealed[1]?.unsynced).toBeUndefined();
  });
});
