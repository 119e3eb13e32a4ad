import { vi } from 'vitest';
import { compileExpression, createRule, createRuleSet, type Point, type Rule, type RuleExchange, type RuleOptions } from '../../src/index.js';

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
}

/** Rules on a collecting writer, with helpers to feed points and read the alert events written. */
export function ruleHarness(rules: readonly Rule[], ownSource = 'plant-a', options: HarnessOptions = {}) {
  const written: Point[] = [];
  const write = (p: Point) => (options.refuse?.(p) ? false : written.push(p) > 0);
  const set = createRuleSet({ rules, sink: { write }, sourceId: ownSource, ...(options.exchange ? { exchange: options.exchange } : {}) });
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
