import { ruleInternals, type RuleInternals } from './_internals.js';
import type { Rule } from './rule-types.js';

/** What a rule set made with `previous` did with the rules of the set it replaces, by name. */
export interface Carried {
  /** Unchanged: they go on with their state (pending and firing alerts, values, last-seen times). */
  kept: string[];
  /** Changed: the new definition starts over; a firing alert of the old one was resolved by `reload`. */
  changed: string[];
  /** Gone from the new set: a firing alert of theirs was resolved by `reload`. */
  removed: string[];
  /** Alerts resolved by `reload`. */
  resolved: number;
}

const internalsOf = (rule: Rule): RuleInternals => ruleInternals.get(rule)!;

/** One rule is the other to a reload: same name and definition, and the same evaluators when there is no condition text to compare. */
function same(a: Rule, b: Rule): boolean {
  const x = internalsOf(a);
  const y = internalsOf(b);
  const sameResolve = a.options.resolveCondition !== undefined || a.options.resolveWhen === b.options.resolveWhen;
  return a.name === b.name && x.definition === y.definition && (a.options.condition !== undefined || x.evaluator === y.evaluator) && sameResolve;
}

/**
 * Hands the state of each rule of `previous` (a stopped set's) to the rule of `next` that is the
 * same rule, as Prometheus keeps alerts across a reload; a rule of `next` with no such
 * predecessor starts over (`reset`: a rule object used before forgets it). `end` is called with
 * each previous rule that was changed or removed, to resolve its firing alerts by `reload`.
 */
export function carryOver(previous: readonly Rule[], next: readonly Rule[], end: (old: Rule) => void): Carried {
  const carried: Carried = { kept: [], changed: [], removed: [], resolved: 0 };
  const before = new Map(previous.map((r) => [r.name, r]));
  for (const rule of next) {
    const old = before.get(rule.name);
    before.delete(rule.name);
    if (old === rule) {
      internalsOf(rule).resume();
      carried.kept.push(rule.name);
    } else if (old && same(old, rule)) {
      internalsOf(rule).takeOver(internalsOf(old));
      carried.kept.push(rule.name);
    } else {
      rule.reset();
      if (!old) continue;
      carried.changed.push(rule.name);
      carried.resolved += old.firing();
      end(old);
    }
  }
  for (const old of before.values()) {
    carried.removed.push(old.name);
    carried.resolved += old.firing();
    end(old);
  }
  return carried;
}
