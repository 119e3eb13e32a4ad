import type { Point } from '../point/point.js';
import type { Instance } from './_instance.js';
import type { StateContent } from './_state.js';
import type { RuleEvaluator } from './rule-view.js';
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
   * `provisional`: its timestamp is one another file's sink gave before its first server sample.
   */
  ingest(point: Point, sourceId: string, own: boolean, provisional?: boolean): void;
  /** How often the rule set's timer must {@link tick} it, in ms; 0: never (only points change its condition). */
  readonly evaluateEveryMs: number;
  /** Evaluates every instance at the current time (a condition that time alone changes: `age()`). */
  tick(): void;
  /** Points refused by the state's bounds (too many sources or metrics). */
  ignored(): number;
  /**
   * Told, once per rule, why a bound first refused a point (`it keeps at most 10000 sources, so
   * ...`); the rule set that runs the rule sets it to log the line. The later refusals are counted
   * in {@link ignored} only.
   */
  onRefused: ((why: string) => void) | undefined;
  /**
   * The rule's effective definition (condition, metrics, sources, per, for, recovery,
   * recover_for, cooldown, event metric, tags): a rule a reload makes with the same name and
   * definition, and the same evaluator when it has no condition text, is the same rule.
   */
  readonly definition: string;
  readonly evaluator: RuleEvaluator;
  /** Clears its timers, keeping its state (its rule set stopped): {@link resume} or another's {@link takeOver} arms them again. */
  pause(): void;
  /** Arms its timers again (the same rule object in the set that replaced the one it was in). */
  resume(): void;
  /** Gives away its values and instances, timers cleared; it is left empty. */
  handOver(): RuleContent;
  /** Takes over the values and instances of `from` (the same rule, in the set a reload replaced), and arms their timers. */
  takeOver(from: RuleInternals): void;
  /** Resolves every firing instance by `reload` (the rule was removed or changed), then forgets everything. */
  endAll(): void;
  /** Calls `visit` with each metric it holds a value of (what a rule kept over a reload has heard). */
  forEachHeard(visit: (metric: string) => void): void;
}

/** What a rule hands to the rule of the same definition that replaces it. */
export interface RuleContent {
  readonly instances: Map<string | undefined, Instance>;
  readonly state: StateContent;
}

/** The internals of every rule `createRule` made. */
export const ruleInternals = new WeakMap<Rule, RuleInternals>();
