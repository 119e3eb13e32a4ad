import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRule, type Point } from '../src/index.js';
import { CLOCK_EVALUATION_MS, describeRules } from '../src/runtime/rules-from-config.js';
import { fileRules, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const valueOf = (p: Point) => p.value as { state: string; since?: number; values: Record<string, unknown>; by?: string };

describe('a condition on age() is evaluated on the rule\'s clock, not only when a point arrives', () => {
  it('fires on a value that stopped arriving (a deadband sends only its first point), its values saying how old it was', () => {
    const h = ruleHarness(fileRules({ name: 'stale', when: 'age("ctl.c") > 2', for: '1s' }));
    h.put('ctl.c', 7);
    // Evaluated every second: true from the evaluation at 3 s, held for 1 s.
    h.advance(3_999);
    expect(h.events()).toEqual([]);
    h.advance(1);
    expect(h.events()).toHaveLength(1);
    expect(h.events()[0]).toMatchObject({ metric: 'alert.stale', timestamp: T0 + 4_000, tags: { rule: 'stale', state: 'fired' } });
    expect(valueOf(h.events()[0]!)).toMatchObject({ since: T0 + 3_000, values: { 'age(ctl.c)': 4 } });

    // The point comes back: found false by it, resolved.
    h.advance(2_000);
    h.put('ctl.c', 7);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect(valueOf(h.events()[1]!)).toMatchObject({ by: 'value', values: { 'age(ctl.c)': 0 } });
  });

  it('carries every value the condition read, the age among them', () => {
    const h = ruleHarness(fileRules({ name: 'stale_with_other', when: 'age("ctl.c") > 2 && other >= 0' }));
    h.put('ctl.c', 7);
    h.put('other', 1);
    h.advance(3_000);
    expect(h.states()).toEqual(['fired']);
    expect(valueOf(h.events()[0]!).values).toEqual({ 'age(ctl.c)': 3, other: 1 });
  });

  it('fires at the end of `for` only if the condition still holds then: time alone may have made it false', () => {
    // Hot and fresh: true at the point, false 1.5 s later with no point at all.
    const h = ruleHarness(fileRules({ name: 'hot_fresh', when: 'temp > 5 && age(temp) < 1.5', for: '1.7s' }));
    h.put('temp', 10);
    h.advance(60_000);
    expect(h.events()).toEqual([]);
  });

  it('with recovery by silence, resolved once and left alone until the next point (not fired again and again)', () => {
    const h = ruleHarness(fileRules({ name: 'stale', when: 'age(x) > 2', recovery: 'silence', recover_for: '5s' }));
    h.put('x', 1);
    h.advance(3_000);
    expect(h.states()).toEqual(['fired']);
    h.advance(5_000);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect(valueOf(h.events()[1]!).by).toBe('silence');
    h.advance(600_000);
    expect(h.states()).toEqual(['fired', 'resolved']);
    // A point wakes it: stale again 3 s later, it fires again.
    h.put('x', 1);
    h.advance(3_000);
    expect(h.states()).toEqual(['fired', 'resolved', 'fired']);
  });

  it('one timer for the whole rule set, whatever the points; none without such a condition; stopped with the set', () => {
    const plain = ruleHarness(fileRules({ name: 'hot', when: 'temp > 80' }));
    expect(vi.getTimerCount()).toBe(0);
    plain.set.stop();

    const h = ruleHarness(fileRules({ name: 'a', when: 'age(x) > 2' }, { name: 'b', when: 'age(y) > 5 || y > 1' }));
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 1_000; i++) h.put(i % 2 ? 'x' : 'y', 0, { source_id: `plc-${i % 10}` });
    expect(vi.getTimerCount()).toBe(1);
    h.set.stop();
    expect(vi.getTimerCount()).toBe(0);
    h.advance(60_000);
    expect(h.events()).toEqual([]);
  });

  it('is every second for a mapping file\'s rules; a library rule asks with evaluateEveryMs', () => {
    expect(CLOCK_EVALUATION_MS).toBe(1_000);
    expect(fileRules({ name: 'stale', when: 'age(x) > 2' })[0]!.options.evaluateEveryMs).toBe(1_000);
    expect(fileRules({ name: 'hot', when: 'x > 2' })[0]!.options.evaluateEveryMs).toBe(0);
    expect(describeRules([{ name: 'stale', when: 'age(x) > 2' }])).toEqual(['stale: when age(x) > 2; evaluated every 1s too (it reads age); resolved once false; one alert per source; -> alert.stale']);

    const mine = createRule({ name: 'quiet', metrics: ['x'], evaluateEveryMs: 250 }, (view) => view.now() - view.timestamp('x')! > 600);
    const h = ruleHarness([mine]);
    h.put('x', 1);
    h.advance(749);
    expect(h.events()).toEqual([]);
    h.advance(1);
    expect(h.events().map((e) => e.timestamp)).toEqual([T0 + 750]);
    expect(() => createRule({ name: 'busy', evaluateEveryMs: 10 }, () => true)).toThrow(/evaluateEveryMs must be 0 \(only on points\) or at least 100 ms/);
  });
});
