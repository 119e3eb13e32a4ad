import type { RuleEvaluator, RuleView } from './rule-view.js';

/**
 * The metrics `evaluate` asked `view` for that have no value yet (`value` or `timestamp`
 * undefined), in the order asked, as `metric` or `metric of source`: why an evaluation that
 * gave undefined could not tell. Evaluates once more through a view that notes each miss; a
 * throw is left to the evaluation that counts it. Asked only when the answer is said.
 */
export function unreadMetrics(evaluate: RuleEvaluator, view: RuleView): string[] {
  const missing: string[] = [];
  const miss = <T>(metric: string, sourceId: string | undefined, value: T): T => {
    const name = sourceId === undefined ? metric : `${metric} of source ${sourceId}`;
    if (value === undefined && !missing.includes(name)) missing.push(name);
    return value;
  };
  const probe: RuleView = {
    get sourceId() {
      return view.sourceId;
    },
    get match() {
      return view.match;
    },
    value: (metric, sourceId) => miss(metric, sourceId, view.value(metric, sourceId)),
    timestamp: (metric, sourceId) => miss(metric, sourceId, view.timestamp(metric, sourceId)),
    rate: (metric, windowMs, sourceId) => view.rate(metric, windowMs, sourceId),
    changes: (metric, windowMs, sourceId) => view.changes(metric, windowMs, sourceId),
    matching: (pattern, visit) => view.matching(pattern, visit),
    gather: (pattern) => view.gather(pattern),
    now: () => view.now(),
    note: (key, value) => view.note(key, value),
  };
  try {
    evaluate(probe);
  } catch {
    // Counted and said by the evaluation itself.
  }
  return missing;
}
