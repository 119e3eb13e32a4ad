import type { Point } from '../point/point.js';
import type { RuleExchange } from './rule-exchange.js';
import type { Rule } from './rule-types.js';

/** What a rule set needs of a rule beyond its public face; kept out of the public API. */
export interface RuleInternals {
  /** Metric names read exactly (no `*`). */
  readonly exact: readonly string[];
  /** Metric patterns read (with `*`). */
  readonly patterns: readonly string[];
  /** True when the rule watches this source. */
  watches(sourceId: string): boolean;
  /**
   * The rule was given `sources` (a file's `sources:`): in a run of several files it also reads
   * the points of the others (a {@link RuleExchange}); without, only its own file's.
   */
  readonly listsSources: boolean;
  /**
   * A point of a metric the rule reads: stored, then the instance it belongs to is evaluated.
   * `own`: the point had no `source_id` (the sink's source), so events carry none either.
   */
  ingest(point: Point, sourceId: string, own: boolean): void;
  /** How often the rule set's timer must {@link tick} it, in ms; 0: never (only points change its condition). */
  readonly evaluateEveryMs: number;
  /** Evaluates every instance at the current time (a condition that time alone changes: `age()`). */
  tick(): void;
  /** Points refused by the state's bounds (too many sources or metrics). */
  ignored(): number;
  /** Clears timers for good. */
  stop(): void;
}

/** The internals of every rule `createRule` made. */
export const ruleInternals = new WeakMap<Rule, RuleInternals>();
