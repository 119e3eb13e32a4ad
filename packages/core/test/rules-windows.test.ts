// rate() and changes(): what a condition reads over a window of a metric's points.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileExpression, ExpressionError } from '../src/index.js';
import { createRuleState, type Entry } from '../src/rules/_state.js';
import { fileRules, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** Writes `value` of `metric` stamped `seconds` after T0, the clock moved there first. */
function at(h: ReturnType<typeof ruleHarness>, seconds: number, metric: string, value: unknown, source?: string) {
  vi.setSystemTime(T0 + seconds * 1000);
  h.put(metric, value as number, { timestamp: T0 + seconds * 1000, ...(source ? { source_id: source } : {}) });
}

describe('rate(name, seconds): change per second over a window', () => {
  it('reads from the newest point at least the window before the latest, and fires on a rise over the window', () => {
    // An oven read every 30 s: 20, 23, 26, 35 degrees. Over 60 s: (26 - 20) / 60 = 0.1/s at 60 s (6/min),
    // then (35 - 23) / 60 = 0.2/s at 90 s (12/min): the rule (more than 10 a minute) fires at 90 s.
    const h = ruleHarness(fileRules({ name: 'heating_fast', when: 'rate(oven.temp, 60) * 60 > 10' }));
    at(h, 0, 'oven.temp', 20);
    at(h, 30, 'oven.temp', 23);
    at(h, 60, 'oven.temp', 26);
    expect(h.events()).toEqual([]);
    at(h, 90, 'oven.temp', 35);
    expect(h.states()).toEqual(['fired']);
    const fired = h.events()[0]!.value as { values: Record<string, unknown> };
    expect(fired.values).toEqual({ 'rate(oven.temp, 60)': 0.2 });
    // Level again: over 60 s (35 - 26) / 60 = 0.15/s at 120 s, 9 a minute: resolved.
    at(h, 120, 'oven.temp', 35);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('goes on over a reload that keeps the rule: its window is carried', () => {
    const rule = { name: 'heating_fast', when: 'rate(oven.temp, 60) * 60 > 10' };
    const before = ruleHarness(fileRules(rule));
    at(before, 0, 'oven.temp', 20);
    at(before, 30, 'oven.temp', 23);
    at(before, 60, 'oven.temp', 26);
    const after = ruleHarness(fileRules(rule), 'plant-a', { previous: before.set });
    at(after, 90, 'oven.temp', 35);
    expect(after.states()).toEqual(['fired']);
    expect((after.events()[0]!.value as { values: Record<string, unknown> }).values).toEqual({ 'rate(oven.temp, 60)': 0.2 });
  });

  it('cannot tell until the points span the window, per source; a fall is negative', () => {
    const h = ruleHarness(fileRules({ name: 'draining', when: 'rate(tank.level, 10) < -0.5' }));
    at(h, 0, 'tank.level', 100, 'tank-a');
    at(h, 5, 'tank.level', 90, 'tank-a');
    at(h, 9, 'tank.level', 80, 'tank-b');
    expect(h.events()).toEqual([]);
    // tank-a over 10 s: (70 - 100) / 10 = -3/s. tank-b has one point: nothing to tell yet.
    at(h, 10, 'tank.level', 70, 'tank-a');
    expect(h.events().map((e) => [e.source_id, (e.value as { state: string }).state])).toEqual([['tank-a', 'fired']]);
  });

  it('keeps at most 130 points a window however fast the metric comes, and stays right', () => {
    const h = ruleHarness(fileRules({ name: 'ramp', when: 'rate(line.speed, 60) > 2.5' }));
    // 10 points a second, each 0.3 above the one before: 3 a second, above 2.5 once 60 s are spanned.
    for (let i = 0; i <= 600; i++) at(h, i / 10, 'line.speed', i * 0.3);
    expect(h.states()).toEqual(['fired']);
    const rate = (h.events()[0]!.value as { values: Record<string, number> }).values['rate(line.speed, 60)']!;
    expect(rate).toBeCloseTo(3, 9);

    // The state itself: 6,001 points over 10 minutes, a 60 s window asked for from the first.
    const state = createRuleState(false, () => Date.now(), [], (t) => t);
    state.begin('plc');
    for (let i = 0; i <= 6000; i++) {
      state.put('plc', 'line.speed', i * 0.3, T0 + i * 100);
      state.view.rate('line.speed', 60_000);
    }
    const entry = (state.handOver().bySource.get('plc') as { metrics: Map<string, Entry> }).metrics.get('line.speed')!;
    // Any two points but the newest kept are at least window / 64 apart: at most 2 x 64 + 2 in a window.
    expect(entry.history!.t.length).toBeLessThanOrEqual(130);
    expect(entry.history!.t.at(-1)).toBe(T0 + 600_000);
    expect(entry.history!.t[0]).toBeLessThanOrEqual(T0 + 540_000);
  });

  it('a value that is not a number cannot tell, and starts the window over', () => {
    const h = ruleHarness(fileRules({ name: 'jump', when: 'rate(x, 10) > 1' }));
    at(h, 0, 'x', 0);
    at(h, 5, 'x', 'ERR');
    at(h, 10, 'x', 100);
    // Across the text there is no rate: the window starts at 10 s.
    expect(h.events()).toEqual([]);
    at(h, 20, 'x', 200);
    expect(h.states()).toEqual(['fired']);
  });

  it('is refused at load without its window, with a window that is not a number of seconds, or with a unit', () => {
    const refused = (text: string) => {
      try {
        compileExpression(text);
      } catch (err) {
        return err instanceof ExpressionError ? err.message : String(err);
      }
      return 'accepted';
    };
    expect(refused('rate(oven.temp) > 1')).toMatch(/^rate\(\) takes a metric name and a window in seconds: rate\(oven.temperature, 60\)/);
    expect(refused('rate(oven.temp, x) > 1')).toMatch(/^rate\(\): the window is a number of seconds from 1 to 86400/);
    expect(refused('rate(oven.temp, 0) > 1')).toMatch(/^rate\(\): the window is a number of seconds from 1 to 86400/);
    expect(refused('rate(oven.temp, 60s) > 1')).toMatch(/unit/);
    expect(compileExpression('rate("pump-a.flow", 30) > 1').metrics).toEqual(['pump-a.flow']);
  });
});

describe('changes(name, seconds): how often a value changed within a window', () => {
  it('counts the points whose value differs from the one before, within the window of the rule clock, and lets them age out', () => {
    // A compressor short-cycling: more than 4 starts or stops within 10 minutes fires.
    const h = ruleHarness(fileRules({ name: 'short_cycling', when: 'changes(compressor.running, 600) > 4' }));
    const states = [false, true, false, true, true, false, true];
    // Every minute: 5 changes in all (the repeated true is none), the 5th at 6 min.
    states.forEach((running, i) => at(h, i * 60, 'compressor.running', running));
    expect(h.states()).toEqual(['fired']);
    const fired = h.events()[0]!.value as { values: Record<string, unknown> };
    expect(fired.values).toEqual({ 'changes(compressor.running, 600)': 5 });
    // Nothing more comes: the clock alone moves the first change (at 1 min) out of the window at 11 min.
    vi.setSystemTime(T0 + 660_000 - 1000);
    h.advance(999);
    expect(h.states()).toEqual(['fired']);
    h.advance(1001);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('goes on counting over a reload that keeps the rule, from the first point after it', () => {
    const rule = { name: 'short_cycling', when: 'changes(compressor.running, 600) > 3' };
    const before = ruleHarness(fileRules(rule));
    at(before, 0, 'compressor.running', false);
    at(before, 60, 'compressor.running', true);
    const after = ruleHarness(fileRules(rule), 'plant-a', { previous: before.set });
    at(after, 120, 'compressor.running', false);
    at(after, 180, 'compressor.running', true);
    expect(after.events()).toEqual([]);
    at(after, 240, 'compressor.running', false);
    expect(after.states()).toEqual(['fired']);
  });

  it('is unknown before the first point, counts none for a value that only repeats, and is refused without its window', () => {
    const h = ruleHarness(fileRules({ name: 'flapping', when: 'changes(valve.state, 60) >= 1' }));
    h.advance(5000);
    expect(h.events()).toEqual([]);
    for (let i = 0; i < 5; i++) at(h, 10 + i, 'valve.state', 'open');
    expect(h.events()).toEqual([]);
    at(h, 20, 'valve.state', 'closed');
    expect(h.states()).toEqual(['fired']);
    expect(() => compileExpression('changes(valve.state) > 1')).toThrow(/^changes\(\) takes a metric name and a window in seconds/);
    expect(() => compileExpression('changes(valve.state, 0) > 1')).toThrow(/^changes\(\): the window is a number of seconds from 1 to 86400/);
    expect(compileExpression('changes(valve.state, 60) > 1').readsClock).toBe(true);
  });
});
