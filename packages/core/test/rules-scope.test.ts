import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRule, createRuleExchange, createRuleSet, type Point, type RuleEvent } from '../src/index.js';
import { exprRule, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

describe('rules over several metrics', () => {
  it('cannot tell until every metric it needs has a value, then reads the latest of each', () => {
    const h = ruleHarness([exprRule({ name: 'dry_run' }, 'pump.running == true && tank.level < 5')]);
    h.put('pump.running', true);
    h.advance(60_000);
    expect(h.events()).toEqual([]);
    h.put('tank.level', 3.5);
    expect(h.states()).toEqual(['fired']);
    expect((h.events()[0]!.value as { values: unknown }).values).toEqual({ 'pump.running': true, 'tank.level': 3.5 });
    h.put('pump.running', false);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect((h.events()[1]!.value as { values: unknown }).values).toEqual({ 'pump.running': false });
  });

  it('decides with one side unknown when the other decides alone', () => {
    const h = ruleHarness([exprRule({ name: 'either' }, 'a.alarm == true || b.alarm == true')]);
    h.put('a.alarm', true);
    expect(h.states()).toEqual(['fired']);
  });
});

describe('rules per source and across sources', () => {
  it('per source: one alert per source, each on its own, events naming the source (none for the sink\'s own)', () => {
    const h = ruleHarness([exprRule({ name: 'oil_hot', forMs: 10_000 }, 'oil.temperature > 80')], 'plant-a');
    h.put('oil.temperature', 85);
    h.put('oil.temperature', 70, { source_id: 'plc-2' });
    h.advance(5_000);
    h.put('oil.temperature', 90, { source_id: 'plc-2' });
    h.advance(5_000);
    expect(h.events().map((e) => e.source_id)).toEqual([undefined]);
    h.advance(5_000);
    expect(h.events().map((e) => [e.source_id, (e.value as { values: unknown }).values])).toEqual([
      [undefined, { 'oil.temperature': 85 }],
      ['plc-2', { 'oil.temperature': 90 }],
    ]);
    expect(h.set.rules[0]!.firing()).toBe(2);
  });

  it('watches only the sources it names (patterns allowed; the sink\'s own source by its id)', () => {
    const h = ruleHarness([exprRule({ name: 'oil_hot', sources: ['plc-*'] }, 'oil.temperature > 80')], 'plant-a');
    h.put('oil.temperature', 85);
    h.put('oil.temperature', 85, { source_id: 'robot-1' });
    expect(h.events()).toEqual([]);
    h.put('oil.temperature', 85, { source_id: 'plc-7' });
    expect(h.events().map((e) => e.source_id)).toEqual(['plc-7']);
    const own = ruleHarness([exprRule({ name: 'own', sources: ['plant-a'] }, 'oil.temperature > 80')], 'plant-a');
    own.put('oil.temperature', 85);
    expect(own.events()).toHaveLength(1);
  });

  it('per all: one alert over every source, bare names reading the latest from any, value(name, source) one of them', () => {
    const h = ruleHarness([exprRule({ name: 'line_mismatch', per: 'all' }, 'abs(value("line.speed", "plc-1") - value("line.speed", "plc-2")) > 5')]);
    h.put('line.speed', 100, { source_id: 'plc-1' });
    h.put('line.speed', 103, { source_id: 'plc-2' });
    expect(h.events()).toEqual([]);
    h.put('line.speed', 110, { source_id: 'plc-2' });
    expect(h.states()).toEqual(['fired']);
    expect(h.events()[0]!.source_id).toBeUndefined();
    expect((h.events()[0]!.value as { values: unknown }).values).toEqual({ 'plc-1:line.speed': 100, 'plc-2:line.speed': 110 });

    const any = ruleHarness([exprRule({ name: 'latest', per: 'all' }, 'door.open == true')]);
    any.put('door.open', false, { source_id: 'a' });
    any.put('door.open', true, { source_id: 'b' });
    expect(any.states()).toEqual(['fired']);
  });

  it('aggregates over wildcards: per source over its own metrics, per all over every source', () => {
    const each = ruleHarness([exprRule({ name: 'any_hot' }, 'max_of("press*.oil.temperature") > 80')]);
    each.put('press1.oil.temperature', 70, { source_id: 'a' });
    each.put('press2.oil.temperature', 82, { source_id: 'b' });
    each.put('press3.oil.temperature', 75, { source_id: 'b' });
    expect(each.events().map((e) => [e.source_id, (e.value as { values: unknown }).values])).toEqual([['b', { 'max_of(press*.oil.temperature)': 82, 'max_of(press*.oil.temperature) from': 'press2.oil.temperature' }]]);

    const fleet = ruleHarness([exprRule({ name: 'fleet_warm', per: 'all' }, 'avg_of("*.temperature") > 50 && count_of("*.temperature") >= 3')]);
    fleet.put('m1.temperature', 40, { source_id: 'a' });
    fleet.put('m1.temperature', 60, { source_id: 'b' });
    expect(fleet.events()).toEqual([]);
    fleet.put('m2.temperature', 70, { source_id: 'b' });
    expect(fleet.states()).toEqual(['fired']);
    expect((fleet.events()[0]!.value as { values: unknown }).values).toEqual({ 'avg_of(*.temperature)': 170 / 3, 'count_of(*.temperature)': 3 });
  });
});

describe('rule sets of several files of one run, sharing an exchange', () => {
  it('a rule that lists sources reads the sources it lists from every set; one without, its own set\'s only; only points a sink took', () => {
    const exchange = createRuleExchange();
    const listing = exprRule({ name: 'hot_plc', sources: ['plc-*'] }, 'temp > 80');
    const unlisted = exprRule({ name: 'hot_own' }, 'temp > 80');
    const a = ruleHarness([listing, unlisted], 'plc-1', { exchange });
    // The other file has no rule of its own, and its sink refuses a NaN as the real one does.
    const b = ruleHarness([], 'plc-2', { exchange, refuse: (p) => Number.isNaN(p.value) });
    const c = ruleHarness([], 'robot-1', { exchange });
    b.put('temp', Number.NaN);
    b.put('temp', 90, { source_id: 'plc-3' });
    b.put('temp', 95);
    c.put('temp', 99);
    // Events go to the rule's own set: plc-3 and plc-2 by hot_plc, none by hot_own, nothing of robot-1.
    expect(a.events().map((e) => [e.tags?.rule, e.source_id])).toEqual([['hot_plc', 'plc-3'], ['hot_plc', 'plc-2']]);
    expect(b.events()).toEqual([]);
    expect(listing.firing()).toBe(2);
    expect(unlisted.firing()).toBe(0);
    a.put('temp', 85);
    expect(a.events().map((e) => [e.tags?.rule, e.source_id])).toEqual([['hot_plc', 'plc-3'], ['hot_plc', 'plc-2'], ['hot_plc', undefined], ['hot_own', undefined]]);
    // A set stopped (a reload replaced it) neither publishes nor receives.
    b.set.stop();
    b.put('temp', 10);
    a.set.stop();
    c.put('temp', 10, { source_id: 'plc-3' });
    expect(a.states()).toEqual(['fired', 'fired', 'fired', 'fired']);
  });
});

describe('the data path', () => {
  it('never asks a rule about a point of a metric it does not read', () => {
    const evaluator = vi.fn(() => false);
    const exact = createRule({ name: 'exact', metrics: ['line1.rpm'] }, evaluator);
    const pattern = vi.fn(() => false);
    const wild = createRule({ name: 'wild', metrics: ['press*.temp'] }, pattern);
    const h = ruleHarness([exact, wild]);
    for (let i = 0; i < 100; i++) h.put(`other.metric${i % 3}`, i);
    h.put('line1.rpm', 1);
    h.put('press2.temp', 1);
    expect(evaluator).toHaveBeenCalledTimes(1);
    expect(pattern).toHaveBeenCalledTimes(1);
    expect(h.written).toHaveLength(102);
  });

  it('a throwing evaluator is counted each time, reported once per episode, and nothing else stops', () => {
    let throwing = true;
    const broken = createRule({ name: 'broken', metrics: ['x'] }, (view) => {
      if (throwing) throw new Error('division by a sensor');
      return (view.value('x') as number) > 1;
    });
    const errors: Array<{ message: string; count: number }> = [];
    broken.listen({ onError: (err, info) => errors.push({ message: (err as Error).message, count: info.count }) });
    const fine = exprRule({ name: 'fine' }, 'x > 1');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const written: Point[] = [];
    const registry = new Registry();
    const set = createRuleSet({ rules: [broken, fine], sink: { write: (p) => written.push(p) }, sourceId: 'plant-a', logger, registry });
    for (let i = 0; i < 5; i++) set.write({ metric: 'x', value: 5 });
    expect(broken.errors()).toBe(5);
    expect(errors).toEqual([{ message: 'division by a sensor', count: 1 }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/rule broken: its condition threw \(division by a sensor\); counted in fieldbridge_rule_errors_total/);
    expect(written.filter((p) => p.metric === 'alert.fine')).toHaveLength(1);
    expect(written.filter((p) => p.metric === 'x')).toHaveLength(5);
    throwing = false;
    set.write({ metric: 'x', value: 5 });
    expect(written.filter((p) => p.metric === 'alert.broken')).toHaveLength(1);
    throwing = true;
    set.write({ metric: 'x', value: 5 });
    expect(errors.map((e) => e.count)).toEqual([1, 6]);
    return registry.metrics().then((text) => {
      expect(text).toMatch(/fieldbridge_rule_errors_total\{rule="broken"\} 6/);
      expect(text).toMatch(/fieldbridge_rules_firing\{rule="fine"\} 1/);
      expect(text).toMatch(/fieldbridge_rule_events_total\{rule="broken",state="fired"\} 1/);
    });
  });

  it('a division by zero or a NaN makes the condition unknown: no alert, counted in fieldbridge_rule_errors_total, logged once per episode', async () => {
    const ratio = exprRule({ name: 'ratio' }, 'a / b > 2');
    const nan = exprRule({ name: 'nan' }, '(a - a) / (b - b) != 1');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const written: Point[] = [];
    const registry = new Registry();
    const set = createRuleSet({ rules: [ratio, nan], sink: { write: (p) => written.push(p) }, sourceId: 'plant-a', logger, registry });
    set.write({ metric: 'a', value: 10 });
    set.write({ metric: 'b', value: 0 });
    set.write({ metric: 'b', value: 0 });
    expect(written.filter((p) => p.class === 'event')).toEqual([]);
    expect([ratio.errors(), nan.errors()]).toEqual([2, 2]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/rule ratio: its condition cannot tell \(10 \/ 0 is Infinity, a division by zero\), which changes nothing; counted in fieldbridge_rule_errors_total/);
    expect(lines[1]).toMatch(/rule nan: its condition cannot tell \(0 \/ 0 is NaN, a division by zero\)/);
    // Unknown changes nothing: a firing alert stays firing through it, and a number decides again.
    set.write({ metric: 'b', value: 1 });
    expect(written.filter((p) => p.metric === 'alert.ratio').map((p) => (p.value as { state: string }).state)).toEqual(['fired']);
    set.write({ metric: 'b', value: 0 });
    expect(written.filter((p) => p.metric === 'alert.ratio').map((p) => (p.value as { state: string }).state)).toEqual(['fired']);
    set.write({ metric: 'b', value: 10 });
    expect(written.filter((p) => p.metric === 'alert.ratio').map((p) => (p.value as { state: string }).state)).toEqual(['fired', 'resolved']);
    const text = await registry.metrics();
    expect(text).toMatch(/fieldbridge_rule_errors_total\{rule="ratio"\} 3/);
    expect(text).toMatch(/fieldbridge_rule_errors_total\{rule="nan"\} 5/);
    expect(written.filter((p) => p.metric === 'alert.nan')).toEqual([]);
    // ratio evaluated between its two episodes of division by zero: each episode logged once.
    expect(lines.filter((l) => l.includes('rule ratio'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('rule nan'))).toHaveLength(1);
  });

  it('a listener that throws is counted like an evaluator, and the event still reaches the sink', () => {
    const rule = exprRule({ name: 'loud' }, 'x > 1');
    rule.listen({
      onFire: () => {
        throw new Error('listener failed');
      },
    });
    const h = ruleHarness([rule]);
    h.put('x', 2);
    expect(h.states()).toEqual(['fired']);
    expect(rule.errors()).toBe(1);
  });

  it('listen() gives the events of the library API and stops giving them when removed', () => {
    const rule = createRule({ name: 'custom', metrics: ['vib.*'], forMs: 1_000 }, (view) => {
      let worst = 0;
      view.matching('vib.*', (_m, v) => (worst = Math.max(worst, v as number)));
      view.note('worst', worst);
      return worst > 7;
    });
    const seen: RuleEvent[] = [];
    const remove = rule.listen({ onFire: (e) => seen.push(e), onResolved: (e) => seen.push(e) });
    const h = ruleHarness([rule]);
    h.put('vib.x', 9);
    h.advance(1_000);
    expect(seen).toMatchObject([{ rule: 'custom', state: 'fired', sourceId: undefined, atMs: T0 + 1_000, sinceMs: T0, values: { worst: 9 } }]);
    expect(seen[0]!.point).toEqual(h.events()[0]);
    remove();
    h.put('vib.x', 1);
    expect(seen).toHaveLength(1);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('stop() clears every timer and forgets the state; nothing is written after', () => {
    const h = ruleHarness([exprRule({ name: 'oil_hot', forMs: 10_000 }, 'oil.temperature > 80')]);
    h.put('oil.temperature', 90);
    h.set.stop();
    h.advance(60_000);
    h.put('oil.temperature', 90);
    h.advance(60_000);
    expect(h.events()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses bad options and two rules of one name', () => {
    expect(() => createRule({ name: 'Bad Name' }, () => true)).toThrow(/name must match/);
    expect(() => createRule({ name: 'x', forMs: -1 }, () => true)).toThrow(/forMs must be 0\.\./);
    expect(() => createRule({ name: 'x', tags: { rule: 'mine' } }, () => true)).not.toThrow();
    const a = createRule({ name: 'same' }, () => true);
    const b = createRule({ name: 'same' }, () => true);
    expect(() => createRuleSet({ rules: [a, b], sink: { write: () => undefined }, sourceId: 'x' })).toThrow(/two rules are named same/);
  });
});
