import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exprRule, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const hot = (extra = {}) => exprRule({ name: 'oil_hot', forMs: 30_000, ...extra }, 'press1.oil.temperature > 80');

describe('for: how long the condition must hold before the rule fires', () => {
  it('fires once the condition has held for `for`, even when the value stops changing', () => {
    const h = ruleHarness([hot()]);
    h.put('press1.oil.temperature', 70);
    h.advance(5_000);
    h.put('press1.oil.temperature', 85);
    h.advance(29_999);
    expect(h.events()).toEqual([]);
    h.advance(1);
    expect(h.events()).toHaveLength(1);
    expect(h.events()[0]).toEqual({
      metric: 'alert.oil_hot',
      class: 'event',
      timestamp: T0 + 35_000,
      tags: { rule: 'oil_hot', state: 'fired' },
      value: { rule: 'oil_hot', state: 'fired', condition: 'press1.oil.temperature > 80', values: { 'press1.oil.temperature': 85 }, since: T0 + 5_000, for_ms: 30_000 },
    });
    h.advance(600_000);
    expect(h.states()).toEqual(['fired']);
  });

  it('does not fire when the condition drops before `for`, and starts the wait over when it comes back', () => {
    const h = ruleHarness([hot()]);
    h.put('press1.oil.temperature', 85);
    h.advance(20_000);
    h.put('press1.oil.temperature', 75);
    h.advance(20_000);
    h.put('press1.oil.temperature', 90);
    h.advance(29_000);
    expect(h.events()).toEqual([]);
    h.advance(1_000);
    expect(h.events().map((e) => e.timestamp)).toEqual([T0 + 70_000]);
    expect((h.events()[0]!.value as { values: unknown }).values).toEqual({ 'press1.oil.temperature': 90 });
  });

  it('fires at once with no `for`', () => {
    const h = ruleHarness([exprRule({ name: 'trip' }, 'breaker.open == true')]);
    h.put('breaker.open', false);
    expect(h.events()).toEqual([]);
    h.put('breaker.open', true);
    expect(h.states()).toEqual(['fired']);
  });
});

describe('recover_for with recovery: value', () => {
  it('resolves at the first false evaluation recover_for after the condition turned false', () => {
    const h = ruleHarness([hot({ forMs: 0, recoverForMs: 15_000 })]);
    h.put('press1.oil.temperature', 85);
    expect(h.states()).toEqual(['fired']);
    h.advance(1_000);
    h.put('press1.oil.temperature', 70); // false from t=1s
    for (let i = 0; i < 14; i++) {
      h.advance(1_000);
      h.put('press1.oil.temperature', 70);
    }
    expect(h.states()).toEqual(['fired']);
    h.advance(1_000);
    h.put('press1.oil.temperature', 69); // t=16s: false for 15 s
    expect(h.states()).toEqual(['fired', 'resolved']);
    const resolved = h.events()[1]!;
    expect(resolved).toMatchObject({ timestamp: T0 + 16_000, tags: { rule: 'oil_hot', state: 'resolved' } });
    expect(resolved.value).toEqual({ rule: 'oil_hot', state: 'resolved', condition: 'press1.oil.temperature > 80', values: { 'press1.oil.temperature': 69 }, fired_at: T0, by: 'value', duration_ms: 16_000 });
  });

  it('starts the recovery over when the condition holds again before recover_for', () => {
    const h = ruleHarness([hot({ forMs: 0, recoverForMs: 15_000 })]);
    h.put('press1.oil.temperature', 85);
    h.put('press1.oil.temperature', 70);
    h.advance(10_000);
    h.put('press1.oil.temperature', 82);
    h.advance(1_000);
    h.put('press1.oil.temperature', 70);
    h.advance(14_000);
    h.put('press1.oil.temperature', 70);
    expect(h.states()).toEqual(['fired']);
    h.advance(1_000);
    h.put('press1.oil.temperature', 70);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('is not resolved by silence: a source that stops sending is not a recovered one', () => {
    const h = ruleHarness([hot({ forMs: 0, recoverForMs: 15_000 })]);
    h.put('press1.oil.temperature', 85);
    h.put('press1.oil.temperature', 70);
    h.advance(3_600_000);
    expect(h.states()).toEqual(['fired']);
    expect(h.set.rules[0]!.firing()).toBe(1);
  });
});

describe('recover_for with recovery: silence', () => {
  it('resolves recover_for after the last point, whatever the values meanwhile', () => {
    const h = ruleHarness([exprRule({ name: 'door', recovery: 'silence', recoverForMs: 10_000 }, 'door.open == true')]);
    h.put('door.open', true);
    expect(h.states()).toEqual(['fired']);
    for (let i = 0; i < 5; i++) {
      h.advance(9_000);
      h.put('door.open', i % 2 === 0);
    }
    expect(h.states()).toEqual(['fired']);
    h.advance(9_999);
    expect(h.states()).toEqual(['fired']);
    h.advance(1);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect(h.events()[1]).toMatchObject({ timestamp: T0 + 55_000, value: { by: 'silence', fired_at: T0, duration_ms: 55_000 } });
  });

  it('counts the silence from the fire, for a rule that fires by its `for` on a still value', () => {
    const h = ruleHarness([exprRule({ name: 'stuck', forMs: 30_000, recovery: 'silence', recoverForMs: 5_000 }, 'valve.position > 90')]);
    h.put('valve.position', 95);
    h.advance(30_000);
    expect(h.states()).toEqual(['fired']);
    h.advance(4_999);
    expect(h.states()).toEqual(['fired']);
    h.advance(1);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('needs recover_for', () => {
    expect(() => exprRule({ name: 'door', recovery: 'silence' }, 'door.open == true')).toThrow(/recovery by silence needs recoverForMs/);
  });
});

describe('cooldown: no fire within it of the last one', () => {
  it('holds a fire back until the cooldown ends, and fires then if the condition still holds', () => {
    const h = ruleHarness([hot({ forMs: 0, cooldownMs: 60_000 })]);
    h.put('press1.oil.temperature', 85); // fired at 0
    h.put('press1.oil.temperature', 70); // resolved (recover_for 0)
    h.advance(10_000);
    h.put('press1.oil.temperature', 86); // pending, held by the cooldown
    expect(h.states()).toEqual(['fired', 'resolved']);
    h.advance(49_999);
    expect(h.states()).toEqual(['fired', 'resolved']);
    h.advance(1);
    expect(h.states()).toEqual(['fired', 'resolved', 'fired']);
    expect(h.events()[2]!.timestamp).toBe(T0 + 60_000);
  });

  it('drops the held fire when the condition stops holding during the cooldown', () => {
    const h = ruleHarness([hot({ forMs: 0, cooldownMs: 60_000 })]);
    h.put('press1.oil.temperature', 85);
    h.put('press1.oil.temperature', 70);
    h.advance(10_000);
    h.put('press1.oil.temperature', 86);
    h.advance(10_000);
    h.put('press1.oil.temperature', 60);
    h.advance(120_000);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('with `for`: the later of the two ends decides', () => {
    const h = ruleHarness([hot({ forMs: 30_000, cooldownMs: 45_000 })]);
    h.put('press1.oil.temperature', 85);
    h.advance(30_000); // fired at 30 s
    h.put('press1.oil.temperature', 70); // resolved at 30 s
    h.put('press1.oil.temperature', 85); // pending from 30 s: for ends at 60 s, cooldown at 75 s
    h.advance(44_999);
    expect(h.states()).toEqual(['fired', 'resolved']);
    h.advance(1);
    expect(h.events().map((e) => e.timestamp! - T0)).toEqual([30_000, 30_000, 75_000]);
  });
});

describe('two clocks: durations on the monotonic one, stamps on the corrected one', () => {
  it('a step of the corrected clock (the first server sample) fires nothing early; the event is stamped in its terms, `since` as read when the condition began to hold', () => {
    let offset = 0;
    const rule = exprRule({ name: 'oil_hot', forMs: 30_000, now: () => Date.now() + offset, monotonicNow: () => Date.now() }, 'press1.oil.temperature > 80');
    const h = ruleHarness([rule]);
    h.put('press1.oil.temperature', 85);
    h.advance(10_000);
    offset = 90_000;
    h.put('press1.oil.temperature', 86);
    h.advance(19_999);
    expect(h.events()).toEqual([]);
    h.advance(1);
    // `since` is the clock's reading then, not worked out back from the fire: on the sink's clock a
    // reading before its first sample is provisional, and the sink moves it onto server time as it
    // moves the event's timestamp (rules-first-stamps.test.ts).
    expect(h.events()[0]).toMatchObject({ timestamp: T0 + 30_000 + 90_000, value: { since: T0, for_ms: 30_000 } });
  });
});

describe('fire and resolve pair up', () => {
  it('the resolved event carries the fired event\'s timestamp as fired_at, whatever corrections `now` took between', () => {
    let offset = 0;
    const rule = exprRule({ name: 'oil_hot', recoverForMs: 5_000, now: () => Date.now() + offset, monotonicNow: () => Date.now() }, 'press1.oil.temperature > 80');
    const h = ruleHarness([rule]);
    const seen: { state: string; sinceMs: number; atMs: number }[] = [];
    rule.listen({ onFire: (e) => seen.push(e), onResolved: (e) => seen.push(e) });
    h.put('press1.oil.temperature', 85);
    // The sink's clock is nudged by a few ms at each answer of the receiver.
    for (const nudge of [1.5, -2.25, 3, 0.75]) {
      h.advance(2_000);
      offset += nudge;
      h.put('press1.oil.temperature', 70);
    }
    expect(h.states()).toEqual(['fired', 'resolved']);
    const [fired, resolved] = h.events() as unknown as [{ timestamp: number; value: { since: number } }, { value: { fired_at: number; duration_ms: number } }];
    expect(fired.value.since).toBe(fired.timestamp);
    expect(resolved.value.fired_at).toBe(fired.timestamp);
    expect(resolved.value.duration_ms).toBe(8_000);
    expect(seen.map((e) => e.state)).toEqual(['fired', 'resolved']);
    expect(seen[1]!.sinceMs).toBe(seen[0]!.atMs);
  });
});
