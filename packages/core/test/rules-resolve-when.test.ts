import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileExpression, ConfigError, createRule, parseMapping, type Point, type Rule, type RuleOptions } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { pino } from 'pino';
import { createRuleSet } from '../src/index.js';
import { fileRules, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

type AlertValue = { state: string; condition?: string; resolve_condition?: string; by?: string; match?: string; values: Record<string, unknown> };
const valueOf = (p: Point) => p.value as AlertValue;
const MINUTE = 60_000;

/** A rule on compiled conditions, as a mapping file's `when` and `resolve_when` make one. */
function bandRule(options: Omit<RuleOptions, 'metrics' | 'resolveWhen'>, when: string, resolveWhen?: string): Rule {
  const fire = compileExpression(when);
  const resolve = resolveWhen === undefined ? undefined : compileExpression(resolveWhen);
  const metrics = [...fire.metrics, ...fire.patterns, ...(resolve ? [...resolve.metrics, ...resolve.patterns] : [])];
  return createRule({ ...options, metrics, condition: when, ...(resolve ? { resolveWhen: resolve.evaluate, resolveCondition: resolveWhen } : {}) }, fire.evaluate);
}

describe('resolve_when: a firing alert resolves on a second condition (hysteresis)', () => {
  it('a battery hovering 19, 21, 19, 22, 24, 26 fires once and resolves at 26 only, the event saying why', () => {
    const h = ruleHarness([bandRule({ name: 'battery_low' }, 'battery < 20', 'battery > 25')]);
    const seen: number[] = [];
    for (const level of [19, 21, 19, 22, 24, 26]) {
      h.put('battery', level);
      seen.push(h.events().length);
    }
    expect(seen).toEqual([1, 1, 1, 1, 1, 2]);
    const [fired, resolved] = h.events().map(valueOf);
    expect(fired).toMatchObject({ state: 'fired', condition: 'battery < 20', resolve_condition: 'battery > 25', values: { battery: 19 } });
    expect(resolved).toMatchObject({ state: 'resolved', by: 'value', condition: 'battery < 20', resolve_condition: 'battery > 25', values: { battery: 26 } });
    // Not firing, only `when` counts: 24 fires nothing, 19 fires again.
    h.put('battery', 24);
    h.put('battery', 19);
    expect(h.states()).toEqual(['fired', 'resolved', 'fired']);
  });

  it('the same values without resolve_when fire three times: the condition alone is both thresholds', () => {
    const h = ruleHarness([bandRule({ name: 'battery_low' }, 'battery < 20')]);
    for (const level of [19, 21, 19, 22, 24, 26]) h.put('battery', level);
    expect(h.states()).toEqual(['fired', 'resolved', 'fired', 'resolved']);
  });

  it('recover_for applies to resolve_when: true for the whole of it, none false between', () => {
    const h = ruleHarness([bandRule({ name: 'battery_low', recoverForMs: MINUTE }, 'battery < 20', 'battery > 25')]);
    h.put('battery', 19);
    h.put('battery', 26);
    h.advance(MINUTE - 1_000);
    // Back under 25 (but not under 20): the recovery starts over.
    h.put('battery', 24);
    h.advance(2_000);
    h.put('battery', 26);
    h.advance(MINUTE - 1);
    h.put('battery', 27);
    expect(h.states()).toEqual(['fired']);
    h.advance(1);
    h.put('battery', 27);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect(valueOf(h.events()[1]!).values).toEqual({ battery: 27 });
  });

  it('resolves only once `when` no longer holds (as Zabbix\'s recovery expression): overlapping conditions do not flap', () => {
    const h = ruleHarness([bandRule({ name: 'hot' }, 'temp > 10', 'temp < 50')]);
    h.put('temp', 60);
    h.put('temp', 30);
    h.put('temp', 30);
    expect(h.states()).toEqual(['fired']);
    h.put('temp', 5);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('a resolve_when that cannot tell (its metric not yet sent) changes nothing; once it can, it resolves', () => {
    const h = ruleHarness([bandRule({ name: 'battery_low' }, 'battery < 20', 'charger.connected == true && battery > 25')]);
    h.put('battery', 10);
    h.put('battery', 30);
    expect(h.states()).toEqual(['fired']);
    h.put('charger.connected', true);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect(valueOf(h.events()[1]!).values).toEqual({ 'charger.connected': true, battery: 30 });
  });

  it('with one alert per metric a * matches, each alert resolves on its own metric', () => {
    const h = ruleHarness([bandRule({ name: 'warm' }, 'value("freezer_*.temperature") > -15', 'value("freezer_*.temperature") < -18')], 'ble-gateway');
    h.put('freezer_01.temperature', -10);
    h.put('freezer_02.temperature', -10);
    h.put('freezer_01.temperature', -16);
    h.put('freezer_02.temperature', -19);
    expect(h.events().map((e) => [valueOf(e).state, valueOf(e).match])).toEqual([['fired', '01'], ['fired', '02'], ['resolved', '02']]);
  });

  it('createRule refuses it with recovery by silence, or reading a * name the condition does not', () => {
    const low = compileExpression('battery < 20');
    const high = compileExpression('battery > 25');
    expect(() => createRule({ name: 'a', recovery: 'silence', recoverForMs: 1_000, resolveWhen: high.evaluate }, low.evaluate)).toThrow(/resolveWhen decides a recovery by value, and recovery 'silence' resolves without data whatever the values: drop one/);
    const star = compileExpression('value("freezer_*.temperature") < -18');
    expect(() => createRule({ name: 'a', resolveWhen: star.evaluate }, low.evaluate)).toThrow(/resolveWhen reads freezer_\*\.temperature one metric at a time, which the condition does not/);
  });

  it('a reload that changes only resolve_when is a changed rule: its firing alert resolves by reload', () => {
    const before = ruleHarness([bandRule({ name: 'battery_low' }, 'battery < 20', 'battery > 25')]);
    before.put('battery', 10);
    const same = ruleHarness([bandRule({ name: 'battery_low' }, 'battery < 20', 'battery > 25')], 'plant-a', { previous: before.set });
    expect(same.set.rules[0]!.firing()).toBe(1);
    const changed = ruleHarness([bandRule({ name: 'battery_low' }, 'battery < 20', 'battery > 30')], 'plant-a', { previous: same.set });
    expect(changed.set.rules[0]!.firing()).toBe(0);
    expect([...before.events(), ...same.events(), ...changed.events()].map((e) => [valueOf(e).state, valueOf(e).by ?? ''])).toEqual([['fired', ''], ['resolved', 'reload']]);
  });
});

describe('resolve_when in a mapping file', () => {
  const file = (rules: string) => `source_id: plant-a\nrules:\n${rules}counter:\n  channels: [{ name: a, metric: m }]\n`;
  const refusal = (text: string) => {
    try {
      parseMapping(text, 'map.yaml', counterBridge, {});
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('accepted');
  };

  it('is taken as written', () => {
    const config = parseMapping(file('  - { name: low, when: battery < 20, resolve_when: battery > 25, recover_for: 1m }\n'), 'map.yaml', counterBridge, {});
    expect(config.rules).toEqual([{ name: 'low', when: 'battery < 20', resolve_when: 'battery > 25', recover_for: 60_000 }]);
  });

  it.each([
    ['  - name: low\n    when: battery < 20\n    resolve_when: battery > 25\n    recovery: silence\n    recover_for: 5m\n', 5, 19, 'rules[0].resolve_when', /^resolve_when decides a recovery by value, and recovery: silence resolves after recover_for without data, whatever the values: drop one of them/],
    ['  - name: warm\n    when: freezer.temperature > -15\n    resolve_when: \'value("freezer_*.temperature") < -18\'\n', 5, 19, 'rules[0].resolve_when', /resolve_when reads "freezer_\*\.temperature" one metric at a time, but each alert is one metric of the \* names of when \(when reads none/],
    ['  - name: gap\n    sources: [plc-1]\n    when: value("m", "plc-1") > 1\n    resolve_when: value("m", "plc-9") < 1\n', 6, 19, 'rules[0].resolve_when', /reads source plc-9, which sources does not watch: add it to sources/],
    ['  - name: low\n    when: battery < 20\n    resolve_when: battery >\n', 5, 27, 'rules[0].resolve_when', /Expected expression after >/],
    ['  - name: low\n    when: battery < 20\n    resolve_when: battery > 25 %\n', 5, 32, 'rules[0].resolve_when', /`25 %`: a condition takes no units/],
  ] as const)('refused at file:line:col: %j', (rules, line, col, path, message) => {
    const err = refusal(file(rules));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ file: 'map.yaml', line, col, path });
    expect(err.issues[0]!.message).toMatch(message);
    expect(err.message.startsWith(`map.yaml:${line}:${col} ${path}: `)).toBe(true);
  });
});

describe('a resolve_when that cannot tell is said: which alert, which resolve_when, and why', () => {
  it('a metric it reads has no value yet, then a value that is not a number: each said once, the alert firing until it resolves', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push((JSON.parse(line) as { msg: string }).msg) });
    const written: Point[] = [];
    const [rule] = fileRules({ name: 'battery_low', when: 'battery < 20', resolve_when: 'charger.volts > 25 && battery > 25' });
    const set = createRuleSet({ rules: [rule!], sink: { write: (p) => written.push(p) > 0 }, sourceId: 'plant-a', logger, unheardAfterMs: 0 });
    const put = (metric: string, value: Point['value']) => set.write({ metric, value, timestamp: Date.now(), source_id: 'cart-7' });
    put('battery', 10);
    put('battery', 30);
    put('battery', 31);
    put('charger.volts', 'ERR');
    put('charger.volts', 'ERR');
    expect(lines).toEqual([
      'rule battery_low: the firing alert of source cart-7 cannot resolve yet: its resolve_when (charger.volts > 25 && battery > 25) cannot tell (charger.volts has no value yet), so the alert stays firing until it can; said once for this alert until its resolve_when tells again',
      'rule battery_low: the firing alert of source cart-7 cannot resolve: its resolve_when (charger.volts > 25 && battery > 25) cannot tell ("ERR" > 25 compares a string with a number, which tells nothing), which changes nothing: the alert stays firing until it can; counted in fieldbridge_rule_errors_total, reported once until it evaluates again, and the bridge goes on',
    ]);
    put('charger.volts', 28);
    expect(written.filter((p) => p.metric === 'alert.battery_low').map((p) => valueOf(p).state)).toEqual(['fired', 'resolved']);
    set.stop();
  });

  it('the condition\'s own failure is still said as the condition\'s, and an alert of a * names what the * stood for', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push((JSON.parse(line) as { msg: string }).msg) });
    const [rule] = fileRules({ name: 'warm', when: 'value("freezer_*.temperature") > -15', resolve_when: 'value("freezer_*.temperature") < door.limit' });
    const set = createRuleSet({ rules: [rule!], sink: { write: () => true }, sourceId: 'plant-a', logger, unheardAfterMs: 0 });
    set.send('freezer_01.temperature', 'ERR');
    set.send('freezer_01.temperature', -10);
    set.send('freezer_01.temperature', -12);
    expect(lines).toEqual([
      'rule warm: its condition cannot tell ("ERR" > -15 compares a string with a number, which tells nothing), which changes nothing; counted in fieldbridge_rule_errors_total, reported once until it evaluates again, and the bridge goes on',
      'rule warm: the firing alert (where * is 01) cannot resolve yet: its resolve_when (value("freezer_*.temperature") < door.limit) cannot tell (door.limit has no value yet), so the alert stays firing until it can; said once for this alert until its resolve_when tells again',
    ]);
    set.stop();
  });
});
