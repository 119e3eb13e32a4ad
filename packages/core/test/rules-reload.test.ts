import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRule, type Point } from '../src/index.js';
import { fileRules, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

type AlertValue = { state: string; since?: number; fired_at?: number; by?: string; values: Record<string, unknown> };
const valueOf = (p: Point) => p.value as AlertValue;
/** `rule:state[:by]` of each event, in order. */
const story = (events: Point[]) => events.map((e) => [e.tags?.rule, valueOf(e).state, valueOf(e).by].filter(Boolean).join(':'));

const hotFor = { name: 'hot_for', when: 'd1.temp > 50', for: '2s' };
const stale = { name: 'stale', when: 'age("d1.temp") > 5' };

describe('a reload (a rule set made with `previous`)', () => {
  it('keeps the state of an unchanged rule: firing alerts resolve on the next point, with fired_at pairing them, and the gauge stays', async () => {
    const registry = new Registry();
    const before = ruleHarness(fileRules(hotFor, stale), 'plant-a', { registry });
    before.put('d1.temp', 60);
    before.advance(7_000);
    expect(story(before.events())).toEqual(['hot_for:fired', 'stale:fired']);

    // The same file again: new rule objects, the same definitions.
    const after = ruleHarness(fileRules(hotFor, stale), 'plant-a', { registry, previous: before.set });
    expect(after.set.rules.map((r) => r.firing())).toEqual([1, 1]);
    expect(await registry.getSingleMetricAsString('fieldbridge_rules_firing')).toMatch(/rule="hot_for"} 1[\s\S]*rule="stale"} 1/);
    // Neither fires again, nor is resolved, while nothing comes.
    after.advance(60_000);
    expect(after.events()).toEqual([]);

    after.put('d1.temp', 40);
    expect(story(after.events())).toEqual(['hot_for:resolved:value', 'stale:resolved:value']);
    const fired = before.events();
    expect(after.events().map((e) => valueOf(e).fired_at)).toEqual(fired.map((e) => e.timestamp));
    expect(after.set.rules.map((r) => r.firing())).toEqual([0, 0]);
    expect(await registry.getSingleMetricAsString('fieldbridge_rules_firing')).toMatch(/rule="hot_for"} 0/);
  });

  it('keeps what age() reads: a source that stays silent after the reload still raises its stale alarm', () => {
    const before = ruleHarness(fileRules(stale), 'plant-a');
    before.put('d1.temp', 20);
    before.advance(2_000);
    const after = ruleHarness(fileRules(stale), 'plant-a', { previous: before.set });
    after.advance(2_999);
    expect(after.events()).toEqual([]);
    // Evaluated every second: 6 s after the one point, without any point since.
    after.advance(1_001);
    expect(story(after.events())).toEqual(['stale:fired']);
    expect(valueOf(after.events()[0]!).values).toEqual({ 'age(d1.temp)': 6 });
    expect(before.events()).toEqual([]);
  });

  it('keeps a pending alert pending: it fires when its `for` ends, counted from before the reload', () => {
    const before = ruleHarness(fileRules(hotFor), 'plant-a');
    before.put('d1.temp', 60);
    before.advance(1_500);
    const after = ruleHarness(fileRules(hotFor), 'plant-a', { previous: before.set });
    after.advance(499);
    expect(after.events()).toEqual([]);
    after.advance(1);
    expect(story(after.events())).toEqual(['hot_for:fired']);
    expect(valueOf(after.events()[0]!).since).toBe(T0);
  });

  it('resolves a firing alert of a rule changed or removed, by "reload", into the new set\'s sink; the changed rule starts over', async () => {
    const registry = new Registry();
    const before = ruleHarness(fileRules(hotFor, stale, { name: 'gone', when: 'd1.temp > 10' }), 'plant-a', { registry });
    before.put('d1.temp', 60);
    before.advance(2_000);
    expect(story(before.events())).toEqual(['gone:fired', 'hot_for:fired']);

    const after = ruleHarness(fileRules({ ...hotFor, for: '5s' }, stale), 'plant-a', { registry, previous: before.set });
    expect(story(after.events())).toEqual(['hot_for:resolved:reload', 'gone:resolved:reload']);
    const firedAt = Object.fromEntries(before.events().map((e) => [e.tags!.rule, e.timestamp]));
    for (const e of after.events()) expect(valueOf(e).fired_at).toBe(firedAt[e.tags!.rule!]);
    expect(valueOf(after.events()[0]!)).toMatchObject({ by: 'reload', duration_ms: 0, values: { 'd1.temp': 60 } });
    expect(await registry.getSingleMetricAsString('fieldbridge_rule_events_total')).toMatch(/rule="gone",state="resolved"} 1/);
    // The changed hot_for is a new rule: pending from its next point, fired 5 s later.
    after.put('d1.temp', 60);
    after.advance(5_000);
    expect(story(after.events()).slice(2)).toEqual(['hot_for:fired']);
    // The stale rule was not firing and is unchanged: nothing said of it.
    expect(story(after.events()).filter((s) => s.startsWith('stale'))).toEqual([]);
  });

  it('without `previous` a rule object used before starts over, as on a process restart', () => {
    const rule = createRule({ name: 'reused', metrics: ['x'] }, (view) => (view.value('x') as number) > 1);
    const first = ruleHarness([rule]);
    first.put('x', 5);
    expect(rule.firing()).toBe(1);
    first.set.stop();
    const second = ruleHarness([rule]);
    expect(rule.firing()).toBe(0);
    second.put('x', 5);
    expect(story(second.events())).toEqual(['reused:fired']);
  });

  it('the same rule object in the next set goes on where it was, its timers armed again', () => {
    const rule = createRule({ name: 'kept', metrics: ['x'], forMs: 1_000 }, (view) => (view.value('x') as number) > 1);
    const first = ruleHarness([rule]);
    first.put('x', 5);
    first.advance(500);
    const second = ruleHarness([rule], 'plant-a', { previous: first.set });
    second.advance(500);
    expect(story(second.events())).toEqual(['kept:fired']);
    expect(first.events()).toEqual([]);
  });
});
