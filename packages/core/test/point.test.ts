import { describe, expect, it } from 'vitest';
import { classOf, validatePoint } from '../src/index.js';

const ts = 1_700_000_000_000;

describe('validatePoint (the real gateway rules)', () => {
  it('accepts numbers as metrics and other values as events', () => {
    expect(validatePoint({ metric: 'a.b', value: 1.5, timestamp: ts })).toBeUndefined();
    expect(validatePoint({ metric: 'state', value: 'running' })).toBeUndefined();
    expect(validatePoint({ metric: 'pos', value: { lat: 1, lon: 2 } })).toBeUndefined();
    expect(validatePoint({ metric: 'arr', value: [1, 2, 3] })).toBeUndefined();
    expect(classOf({ metric: 'x', value: 1 })).toBe('metric');
    expect(classOf({ metric: 'x', value: true })).toBe('event');
  });

  it.each([
    [{ metric: '', value: 1 }, /metric/],
    [{ metric: 'x'.repeat(257), value: 1 }, /longer than 256/],
    [{ metric: 'm', value: null }, /null/],
    [{ metric: 'm' }, /missing/],
    [{ metric: 'm', value: Number.NaN }, /finite/],
    [{ metric: 'm', value: Number.POSITIVE_INFINITY }, /finite/],
    [{ metric: 'm', value: 'x', class: 'metric' }, /must be a number/],
    [{ metric: 'm', value: 'x'.repeat(70_000) }, /larger than 65536 bytes/],
    [{ metric: 'm', value: 1, timestamp: 1_700_000_000 }, /seconds/],
    [{ metric: 'm', value: 1, timestamp: '2024' }, /finite number/],
    [{ metric: 'm', value: 1, source_id: 'Bad Id' }, /source_id/],
    [{ metric: 'm', value: 1, tags: { a: 1 } }, /tag a must be a string/],
    [{ metric: 'm', value: 1, tags: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, /more than 16 tags/],
    [{ metric: 'm', value: 1, tags: { k: 'v'.repeat(257) } }, /longer than 256/],
    [{ metric: 'm', value: 1, class: 'gauge' }, /class/],
    [null, /object/],
  ])('refuses %j', (point, reason) => {
    expect(validatePoint(point)).toMatch(reason);
  });
});
