import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMapping } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { fileRules, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** What a fired or resolved event point's value holds. */
type EventValue = { rule: string; state: string; match?: string; values: Record<string, unknown> };
const MINUTE = 60_000;

// A BLE gateway sends every tag's readings under one source_id, as freezer_01.temperature,
// freezer_02.temperature, ...: "one alert per freezer" is one alert per metric the * matches.
describe('a name with * read one metric at a time: one alert per metric it matches', () => {
  it('fires for each freezer warm for 10 minutes on its own, naming it, and resolves each on its own', () => {
    const h = ruleHarness(fileRules({ name: 'freezer_warm', when: 'value("freezer_*.temperature") > -15', for: '10m' }), 'ble-gateway');
    const temps: Record<string, number> = { freezer_01: -20, freezer_02: -20, freezer_03: -20 };
    const report = () => {
      for (const [device, t] of Object.entries(temps)) h.put(`${device}.temperature`, t);
    };
    report();
    temps.freezer_01 = -12;
    for (let m = 0; m < 5; m++) (report(), h.advance(MINUTE));
    temps.freezer_02 = -10;
    for (let m = 0; m < 5; m++) (report(), h.advance(MINUTE));
    // freezer_01 has been warm 10 minutes, freezer_02 five: one alert, freezer_01's.
    expect(h.events().map((e) => (e.value as EventValue).match)).toEqual(['01']);
    for (let m = 0; m < 5; m++) (report(), h.advance(MINUTE));
    const fired = h.events().map((e) => e.value as EventValue);
    expect(fired.map((v) => [v.state, v.match, v.values])).toEqual([
      ['fired', '01', { 'freezer_01.temperature': -12 }],
      ['fired', '02', { 'freezer_02.temperature': -10 }],
    ]);
    expect(h.events()[0]).toMatchObject({ metric: 'alert.freezer_warm', tags: { rule: 'freezer_warm', state: 'fired' } });
    temps.freezer_01 = -19;
    report();
    expect(h.events().slice(2).map((e) => [(e.value as EventValue).state, (e.value as EventValue).match])).toEqual([['resolved', '01']]);
    expect(h.set.rules[0]!.firing()).toBe(1);
  });

  it('a metric every alert reads (a set point) does not keep a silent tag\'s alert from resolving by silence', () => {
    const h = ruleHarness(fileRules({ name: 'warm', when: 'value("tag_*.temp") > value("site.limit")', recovery: 'silence', recover_for: '10m' }), 'ble-gateway');
    h.put('site.limit', -15);
    h.put('tag_01.temp', -10);
    expect(h.states()).toEqual(['fired']);
    // tag_01 falls silent (its battery died); the set point keeps coming every minute.
    for (let m = 0; m < 12; m++) (h.advance(MINUTE), h.put('site.limit', -15));
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect((h.events()[1]!.value as { by?: string }).by).toBe('silence');
  });

  it('raises a stale alarm for the one tag that stopped reporting, with how long it has been silent', () => {
    const h = ruleHarness(fileRules({ name: 'tag_silent', when: 'age("freezer_*.temperature") > 900' }), 'ble-gateway');
    h.put('freezer_01.temperature', -20);
    h.put('freezer_02.temperature', -21);
    for (let m = 0; m < 20; m++) {
      h.advance(MINUTE);
      h.put('freezer_01.temperature', -20);
    }
    const fired = h.events().map((e) => e.value as EventValue);
    expect(fired.map((v) => [v.state, v.match])).toEqual([['fired', '02']]);
    expect(fired[0]!.values['age(freezer_02.temperature)']).toBeGreaterThan(900);
    expect(h.events()[0]!.timestamp! - T0).toBeGreaterThan(900_000);
    expect(h.events()[0]!.timestamp! - T0).toBeLessThanOrEqual(902_000);
    // It reports again: a point of it finds the condition false.
    h.put('freezer_02.temperature', -21);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('reads the metrics the * does not match alike for every alert: a set point of the source', () => {
    const h = ruleHarness(fileRules({ name: 'above_set', when: 'value("freezer_*.temperature") > cold_room.setpoint' }), 'ble-gateway');
    h.put('freezer_01.temperature', -10);
    h.put('freezer_02.temperature', -16);
    expect(h.events()).toEqual([]);
    h.put('cold_room.setpoint', -15);
    expect(h.events().map((e) => (e.value as EventValue).match)).toEqual(['01']);
    h.put('cold_room.setpoint', -18);
    expect(h.events().map((e) => (e.value as EventValue).match)).toEqual(['01', '02']);
  });

  it('refuses a name with two *, pointing to max_of', () => {
    const load = () => parseMapping(`source_id: a\nrules:\n  - { name: w, when: 'value("*.freezer*.temperature") > -15' }\ncounter:\n  channels: [{ name: a, metric: m }]\n`, 'map.yaml', counterBridge, {});
    expect(load).toThrow(/^map\.yaml:3:\d+ rules\[0\]\.when: value\("\*\.freezer\*\.temperature"\): a name read one metric at a time takes one \*.*max_of\("\*\.freezer\*\.temperature"\)/);
  });
});
