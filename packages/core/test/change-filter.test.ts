import { describe, expect, it } from 'vitest';
import { createChangeFilter } from '../src/index.js';

describe('change filter', () => {
  it('with every option off, passes everything and remembers nothing', () => {
    const f = createChangeFilter();
    for (let i = 0; i < 10; i++) expect(f.admit('s', 1, i)).toBe('pass');
    expect(f.size()).toBe(0);
  });

  it('deadband compares with the last value sent, so slow drift still shows up', () => {
    const f = createChangeFilter({ deadband: 0.5 });
    const seen = [10, 10.2, 10.4, 10.6, 10.3, 11.2].map((v, i) => f.admit('t', v, i));
    expect(seen).toEqual(['pass', 'deadband', 'deadband', 'pass', 'deadband', 'pass']);
  });

  it('deadband in percent of the last value sent', () => {
    const f = createChangeFilter({ deadbandPercent: 10 });
    expect([100, 109, 111, 120, 130].map((v, i) => f.admit('p', v, i))).toEqual(['pass', 'deadband', 'pass', 'deadband', 'pass']);
  });

  it('min interval: at most one point per series per window, series apart', () => {
    const f = createChangeFilter({ minIntervalMs: 100 });
    expect([0, 50, 99, 100, 150, 230].map((t) => f.admit('a', t, t))).toEqual(['pass', 'rate', 'rate', 'pass', 'rate', 'pass']);
    expect(f.admit('b', 1, 50)).toBe('pass');
  });

  it('on change, for any value type, with a heartbeat that sends a steady value anyway', () => {
    const f = createChangeFilter({ onChange: true, maxIntervalMs: 1000 });
    expect(f.admit('mode', 'AUTO', 0)).toBe('pass');
    expect(f.admit('mode', 'AUTO', 10)).toBe('unchanged');
    expect(f.admit('mode', 'MANUAL', 20)).toBe('pass');
    expect(f.admit('mode', 'MANUAL', 1019)).toBe('unchanged');
    expect(f.admit('mode', 'MANUAL', 1020)).toBe('pass');
    expect(f.admit('pos', { x: 1 }, 0)).toBe('pass');
    expect(f.admit('pos', { x: 1 }, 1)).toBe('unchanged');
    expect(f.admit('pos', { x: 2 }, 2)).toBe('pass');
  });

  it('remembers at most maxSeries series, forgetting the one sent least recently', () => {
    const f = createChangeFilter({ onChange: true, maxSeries: 2 });
    f.admit('a', 1, 0);
    f.admit('b', 1, 0);
    f.admit('a', 2, 1);
    f.admit('c', 1, 2);
    expect(f.size()).toBe(2);
    // b was forgotten, so its repeat passes; a is still remembered.
    expect(f.admit('b', 1, 3)).toBe('pass');
    expect(f.admit('c', 1, 3)).toBe('unchanged');
  });
});
