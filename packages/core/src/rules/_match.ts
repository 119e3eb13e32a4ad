import type { RuleEvaluator } from './rule-view.js';

/**
 * The names with a `*` that a compiled condition reads one metric of (`value("freezer*.temperature")`,
 * `age(...)`, `rate(...)`, `changes(...)`), by its evaluator: a rule made with that evaluator keeps
 * one instance per run of characters the `*` stands for, so each metric it matches is an alert of
 * its own. Kept here, not in the rule's options, so the rules a mapping file makes get it with
 * their evaluator.
 */
export const matchedNames = new WeakMap<RuleEvaluator, readonly string[]>();

/** What the one `*` of the first of `names` that matches `metric` stands for in it, or undefined. */
export function matchIn(names: readonly string[], metric: string): string | undefined {
  for (const name of names) {
    const star = name.indexOf('*');
    const prefix = name.slice(0, star);
    const suffix = name.slice(star + 1);
    if (metric.length >= prefix.length + suffix.length && metric.startsWith(prefix) && metric.endsWith(suffix)) {
      return metric.slice(prefix.length, metric.length - suffix.length);
    }
  }
  return undefined;
}

/** `name` with its `*` replaced by `match` (`freezer*.temperature`, `_01`: `freezer_01.temperature`); as it is without a match. */
export function withMatch(name: string, match: string | undefined): string {
  if (match === undefined) return name;
  const star = name.indexOf('*');
  return star < 0 ? name : `${name.slice(0, star)}${match}${name.slice(star + 1)}`;
}
