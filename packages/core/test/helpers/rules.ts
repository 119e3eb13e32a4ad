import type { Registry } from 'prom-client';
import { vi } from 'vitest';
import { compileExpression, createRule, createRuleSet, parseMapping, type Point, type Rule, type RuleExchange, type RuleOptions, type RuleSet } from '../../src/index.js';
import { rulesFromConfig } from '../../src/runtime/rules-from-config.js';
import { counterBridge } from '../fixtures/counter-bridge.js';

/** The fake clock's start in these tests: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** A rule whose condition is an expression, reading what the expression names. */
export function exprRule(options: Omit<RuleOptions, 'metrics'>, when: string): Rule {
  const c = compileExpression(when);
  return createRule({ ...options, metrics: [...c.metrics, ...c.patterns], condition: when }, c.evaluate);
}

/** Options of {@link ruleHarness}. */
export interface HarnessOptions {
  /** The run's exchange, shared with other harnesses (other files of one run). */
  exchange?: RuleExchange;
  /** The writer refuses these points, as the sink refuses an invalid one (`write` answers false). */
  refuse?: (point: Point) => boolean;
  /** The set this harness's replaces (a reload). */
  previous?: RuleSet;
  /** Where the rule metrics go. */
  registry?: Registry;
  /** See `RuleSetOptions.unheardAfterMs`. Default 0 here: the harness logs nothing, and its timer would be one more to count. */
  unheardAfterMs?: number;
}

/** The rules of a mapping file's `rules:` section, as a bridge makes them, on the fake clock. */
export function fileRules(...rules: Record<string, unknown>[]): Rule[] {
  const config = parseMapping(`source_id: plant-a\nrules: ${JSON.stringify(rules)}\ncounter:\n  channels: [{ name: a, metric: m }]\n`, 'map.yaml', counterBridge, {});
  return rulesFromConfig(config.rules, { clock: { now: () => Date.now(), monotonicNow: () => Date.now() } });
}

/** Rules on a collecting writer, with helpers to feed points and read the alert events written. */
export function ruleHarness(rules: readonly Rule[], ownSource = 'plant-a', options: HarnessOptions = {}) {
  const written: Point[] = [];
  // Not `options`: it holds the set this one replaces, which a reload must let go.
  const refuse = options.refuse;
  const write = (p: Point) => (refuse?.(p) ? false : written.push(p) > 0);
  const set = createRuleSet({
    rules,
    sink: { write },
    sourceId: ownSource,
    ...(options.exchange ? { exchange: options.exchange } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    unheardAfterMs: options.unheardAfterMs ?? 0,
  });
  const events = () => written.filter((p) => p.class === 'event' && p.metric.startsWith('alert.'));
  return {
    set,
    written,
    events,
    /** `value` of the event points, in order. */
    states: () => events().map((p) => (p.value as { state: string }).state),
    /** Writes one point through the rule set (as a bridge's emit would). */
    put(metric: string, value: Point['value'], extra: Partial<Point> = {}) {
      set.write({ metric, value, timestamp: Date.now(), ...extra });
    },
    /** Moves the fake clock on; timers due on the way run. */
    advance(ms: number) {
      vi.advanceTimersByTime(ms);
    },
    /** Ms since {@link T0} on the fake clock. */
    elapsed: () => Date.now() - T0,
  };
}
