import type { PointValue } from '../point/point.js';
import type { PatternAggregates } from './_pattern-group.js';

/**
 * What a rule's condition reads: the rolling state of the metrics the rule watches, the latest
 * value and timestamp of each, per source. A rule `per: 'source'` sees its instance's source
 * (`sourceId`); a rule `per: 'all'` sees every source it watches at once.
 */
export interface RuleView {
  /** The source this instance watches (`per: 'source'`); undefined for a rule `per: 'all'`. */
  readonly sourceId: string | undefined;
  /**
   * What the `*` stands for in this instance's metric (`_01` for `freezer_01.temperature`), for a
   * compiled condition reading `value("freezer*.temperature")`: one instance per metric matched.
   * Undefined for every other rule (a view of your own may leave it out).
   */
  readonly match?: string | undefined;
  /**
   * The latest value of `metric`: of `sourceId` when given, else of this instance's source, or
   * for a rule `per: 'all'` the latest from any source it watches. Undefined when none arrived
   * yet. The value is noted with the event the evaluation may cause.
   */
  value(metric: string, sourceId?: string): PointValue | undefined;
  /** The timestamp (ms since the epoch) of the latest point of `metric`, found as `value` finds it. */
  timestamp(metric: string, sourceId?: string): number | undefined;
  /**
   * How fast `metric` changes, per second, over at least `windowMs`: from the newest point at
   * least `windowMs` before its latest one to that latest one (found as `value` finds it). The
   * state keeps the points of a metric from the first time its rate is asked for (at most 130
   * a window, however fast it comes). Undefined while its points do not yet span `windowMs`; NaN when the latest
   * value is not a number. Noted with the event as `rate(metric, seconds)`.
   */
  rate(metric: string, windowMs: number, sourceId?: string): number | undefined;
  /**
   * How many times the value of `metric` changed (a point whose value differs from the one before)
   * with a timestamp within the last `windowMs` of the rule's clock, found as `value` finds it. The
   * state notes changes from the first time they are counted (at most 10,000 a window). Undefined
   * until a point of it came. Noted with the event as `changes(metric, seconds)`.
   */
  changes(metric: string, windowMs: number, sourceId?: string): number | undefined;
  /**
   * Calls `visit` with every metric in view whose name matches `pattern` (`*` matches any run
   * of characters): this instance's source, or every watched source for a rule `per: 'all'`.
   */
  matching(pattern: string, visit: (metric: string, value: PointValue, sourceId: string) => void): void;
  /**
   * What {@link matching} would visit, added up: how many values, how many of them numbers, their
   * sum, least and greatest, and which metric (of which source) gave those. For a pattern the rule
   * declared in its `metrics`, kept as points arrive, so reading it costs the same over ten or ten
   * thousand metrics. The object is reused: read it before the next call.
   */
  gather(pattern: string): PatternAggregates;
  /** The rule's clock, in ms since the epoch. */
  now(): number;
  /** Adds `key: value` to the values carried by the event this evaluation may cause (at most 32 are kept). */
  note(key: string, value: unknown): void;
}

/**
 * A rule's condition: true while it holds, false while it does not, undefined when it cannot
 * tell yet (a metric it needs has not arrived), which changes nothing. It may throw: the throw
 * is counted and reported once per episode, and the rule keeps its state.
 */
export type RuleEvaluator = (view: RuleView) => boolean | undefined;
