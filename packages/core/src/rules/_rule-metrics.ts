import { Counter, Gauge, type Registry } from 'prom-client';
import type { Rule } from './rule-types.js';
import { metricOnce } from '../shared/metric-once.js';

/** The rules live on each registry, read when it is scraped (a reload swaps them). */
const live = new WeakMap<Registry, Set<readonly Rule[]>>();
/** Evaluator throws already handed to prom-client, per rule object. */
const reported = new WeakMap<Rule, number>();

/**
 * Registers the rule metrics on `registry` (once per registry; a reload reuses them) and makes
 * `rules` count there until the returned function is called:
 * - `fieldbridge_rules_firing{rule}`: instances firing now;
 * - `fieldbridge_rule_events_total{rule,state}`: events written, `fired` or `resolved`;
 * - `fieldbridge_rule_errors_total{rule}`: evaluator throws (a compiled condition's arithmetic that
 *   gave no finite number among them).
 */
export function registerRuleSet(registry: Registry, rules: readonly Rule[]): () => void {
  let sets = live.get(registry);
  if (!sets) {
    sets = new Set();
    live.set(registry, sets);
  }
  const current = sets;
  const registers = [registry];
  const get = <T>(name: string, make: () => T): T => metricOnce(registry, name, make);
  get('fieldbridge_rules_firing', () => new Gauge({
    name: 'fieldbridge_rules_firing',
    help: 'Instances of each alert rule firing now (one per source for rules per source).',
    labelNames: ['rule'],
    registers,
    collect() {
      this.reset();
      for (const set of current) for (const r of set) this.set({ rule: r.name }, r.firing());
    },
  }));
  const events = get('fieldbridge_rule_events_total', () => new Counter({ name: 'fieldbridge_rule_events_total', help: 'Alert events written to the sink, by rule and state (fired, resolved).', labelNames: ['rule', 'state'], registers }));
  get('fieldbridge_rule_errors_total', () => new Counter({
    name: 'fieldbridge_rule_errors_total',
    help: 'Times an alert rule\'s condition threw or gave no finite number (a division by zero): each is counted, each episode is logged once.',
    labelNames: ['rule'],
    registers,
    collect() {
      for (const set of current) {
        for (const r of set) {
          const n = r.errors() - (reported.get(r) ?? 0);
          if (n > 0) this.inc({ rule: r.name }, n);
          reported.set(r, r.errors());
        }
      }
    },
  }));
  current.add(rules);
  const unhook = rules.map((r) =>
    r.listen({
      onFire: () => events.inc({ rule: r.name, state: 'fired' }),
      onResolved: () => events.inc({ rule: r.name, state: 'resolved' }),
    }),
  );
  return () => {
    current.delete(rules);
    for (const u of unhook) u();
  };
}
