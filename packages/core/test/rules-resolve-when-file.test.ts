import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeRules } from '../src/runtime/rules-from-config.js';
import { parseMapping } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { fileRules, ruleHarness, T0 } from './helpers/rules.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

describe('resolve_when of a mapping file reaches the rule', () => {
  it('a battery hovering 19, 21, 19, 22, 24, 26 fires once and resolves at 26 only', () => {
    const h = ruleHarness(fileRules({ name: 'battery_low', when: 'battery < 20', resolve_when: 'battery > 25' }));
    for (const level of [19, 21, 19, 22, 24, 26]) h.put('battery', level);
    expect(h.states()).toEqual(['fired', 'resolved']);
    expect(h.events()[1]!.value).toMatchObject({ resolve_condition: 'battery > 25', values: { battery: 26 } });
  });

  it('a resolve_when reading a metric the condition does not is routed to the rule', () => {
    const h = ruleHarness(fileRules({ name: 'battery_low', when: 'battery < 20', resolve_when: 'charger.connected == true && battery > 25' }));
    h.put('battery', 10);
    h.put('battery', 30);
    expect(h.states()).toEqual(['fired']);
    h.put('charger.connected', true);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('a resolve_when reading age() is evaluated on the clock too, with no point arriving', () => {
    const h = ruleHarness(fileRules({ name: 'battery_low', when: 'battery < 20', resolve_when: 'battery >= 20 && age("battery") > 10' }));
    h.put('battery', 10);
    h.put('battery', 22);
    h.advance(9_000);
    expect(h.states()).toEqual(['fired']);
    h.advance(3_000);
    expect(h.states()).toEqual(['fired', 'resolved']);
  });

  it('--check says how it resolves', () => {
    const config = parseMapping('source_id: a\nrules: [{ name: low, when: battery < 20, resolve_when: battery > 25, recover_for: 1m }]\ncounter:\n  channels: [{ name: a, metric: m }]\n', 'map.yaml', counterBridge, {});
    expect(describeRules(config.rules)[0]).toMatch(/resolved once battery > 25 and not battery < 20 for 1m/);
  });
});
