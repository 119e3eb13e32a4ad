import type { Point, Tags } from '../point/point.js';
import type { RuleEvaluator } from './rule-view.js';

/** Pattern a rule's name must match: it names the events (`alert.<name>`) and a metric label. */
export const RULE_NAME_PATTERN = /^[a-z0-9_][a-z0-9_-]{0,63}$/;

/** How a firing rule resolves. */
export type RecoveryMode =
  /** The condition must be found false, by data, for `recoverForMs` on end (RelayX's `VALUE`). */
  | 'value'
  /** No data for `recoverForMs` resolves it, whatever the condition (RelayX's `TIMER`). */
  | 'silence';

/**
 * What resolved an alert: its {@link RecoveryMode}, or `reload` when a reload (SIGHUP, or a rule
 * set made with `previous`) removed or changed the rule while it was firing, so that every
 * `fired` has its `resolved`.
 */
export type ResolvedBy = RecoveryMode | 'reload';

/** Options of `createRule`. Durations in ms; the YAML keys are `for`, `recover_for`, `cooldown`. */
export interface RuleOptions {
  /** `^[a-z0-9_][a-z0-9_-]*$`, at most 64 characters; names the events (`alert.<name>`) and the metrics' `rule` label. */
  name: string;
  /** Metric names the rule reads, `*` matching any run of characters. Points of other metrics never reach it (one lookup). Default `['*']`: every point. */
  metrics?: readonly string[];
  /** Source ids the rule watches, `*` as in `metrics`; a point without `source_id` is the sink's source. Default `['*']`. */
  sources?: readonly string[];
  /**
   * `source`: one instance per source watched, each firing and resolving on its own, its
   * condition reading that source's metrics. `all`: one instance over every source watched, a
   * bare metric name reading the latest value from any of them. Default `source`.
   */
  per?: 'source' | 'all';
  /** How long the condition must hold before the rule fires, in ms. Default 0: at once. */
  forMs?: number;
  /** How a firing rule resolves. Default `value`. */
  recovery?: RecoveryMode;
  /** How long the recovery takes, in ms (see {@link RecoveryMode}); `silence` needs more than 0. Default 0. */
  recoverForMs?: number;
  /** No fire within this long of the last one, in ms; a condition still holding fires when it ends. Default 0. */
  cooldownMs?: number;
  /** Metric of the event points. Default `alert.<name>`. */
  eventMetric?: string;
  /**
   * Tags added to the event points (at most 14: `rule` and `state` are added). A sink adds its
   * own tags to every point, and refuses one with more than 16 in all: `startBridge` refuses a
   * rule whose tags and the mapping's make more. Default none.
   */
  tags?: Tags;
  /**
   * Also evaluate every instance this often, in ms, not only when a point the rule reads arrives:
   * for a condition that time alone changes (one reading `view.now()` or `view.timestamp()`, a
   * compiled condition using `age()`), such as a stale-data alarm on a value that stopped
   * arriving. A rule set runs one timer for all its rules, at the shortest period any asks for;
   * an instance resolved by silence is left alone until its next point. 0, or 100 and more.
   * Default 0: only on points.
   */
  evaluateEveryMs?: number;
  /** The condition as written, carried in the events (`condition`). Default none. */
  condition?: string;
  /**
   * What resolves a firing instance, for hysteresis (fire below 20, resolve above 25): while it
   * fires, this is evaluated instead of waiting for the condition to turn false, and the instance
   * resolves once it is true and the condition is not (Zabbix's recovery expression), by `value`
   * after `recoverForMs` of that, none other between; while it does not fire, only the condition
   * counts. Undefined (cannot tell) changes nothing. Not with `recovery: 'silence'`. Its `*` names
   * (see `RuleView.match`) must be among the condition's. Default none: resolved once the
   * condition is false.
   */
  resolveWhen?: RuleEvaluator;
  /** `resolveWhen` as written, carried in the events (`resolve_condition`). Default none. */
  resolveCondition?: string;
  /** The clock of timestamps, in ms since the epoch: `age()`, the events' times. Default `Date.now`. */
  now?: () => number;
  /**
   * The clock durations are measured on (`for`, `recover_for`, `cooldown`, silence), in ms: one
   * that never steps, so a correction of `now` fires or resolves nothing early. Default `now`.
   */
  monotonicNow?: () => number;
  /**
   * A stored point's timestamp on `now`'s clock, as `age()` reads it: a sink's clock moves the
   * stamps it gave before its first server sample by one offset once it has one, and those stored
   * before must be read moved too, or `age()` would jump by the offset (`sink.onServerTime`).
   * `provisional`: a stamp another file's sink gave before its first sample, to be moved as this
   * sink's own are. Default: every timestamp as it is.
   */
  onServerTime?: (timestamp: number, provisional?: boolean) => number;
}

/** A rule fired or resolved. */
export interface RuleEvent {
  rule: string;
  state: 'fired' | 'resolved';
  /** The source of the instance; undefined for the sink's own source and for rules `per: 'all'`. */
  sourceId: string | undefined;
  /**
   * What the `*` stood for in the metric of the alert, for a condition reading one metric at a
   * time (`value("freezer*.temperature")`: `_01` for `freezer_01.temperature`); absent otherwise.
   */
  match?: string;
  /** When it happened, ms since the epoch. */
  atMs: number;
  /** The values the condition read at its last evaluation (the ones that fired or resolved it). */
  values: Record<string, unknown>;
  /** Fired: when the condition began to hold. Resolved: when it fired (the fired event's `atMs`, exactly). */
  sinceMs: number;
  /**
   * Resolved: by `value` (the condition found false, or for a rule with `resolveWhen` that found
   * true), by `silence`, or by `reload` (the rule was changed or removed while firing).
   */
  by?: ResolvedBy;
  /** The event point as written to the sink. */
  point: Point;
}

/** What an evaluator's throw is reported with. */
export interface RuleErrorInfo {
  rule: string;
  /** The instance's source (undefined as in {@link RuleEvent}). */
  sourceId: string | undefined;
  /** Throws counted so far by this rule. */
  count: number;
  /** What the `*` stood for in the alert's metric (as in {@link RuleEvent}); absent otherwise. */
  match?: string;
  /** Which threw: the condition, or `resolveWhen` while the alert was firing. */
  in: 'condition' | 'resolveWhen';
}

/** What a firing alert whose `resolveWhen` cannot tell yet is reported with. */
export interface RuleUndecidedInfo {
  rule: string;
  /** The alert's source (undefined as in {@link RuleEvent}). */
  sourceId: string | undefined;
  /** What the `*` stood for in the alert's metric; absent otherwise. */
  match?: string;
  /** The metrics `resolveWhen` read that have no value yet (`metric`, or `metric of source s`); empty when it was something else (a rate over a window not yet spanned). */
  missing: string[];
}

/** Callbacks of `rule.listen`. Each is optional; a throw inside one is counted like an evaluator's. */
export interface RuleListeners {
  onFire?(event: RuleEvent): void;
  onResolved?(event: RuleEvent): void;
  /** The evaluator threw: called once per episode (until an evaluation succeeds again); every throw is counted. */
  onError?(error: unknown, info: RuleErrorInfo): void;
  /**
   * A firing alert's `resolveWhen` cannot tell yet (a metric it reads has no value): the alert
   * stays firing. Called once for the alert until its `resolveWhen` tells again; not an error.
   */
  onUndecided?(info: RuleUndecidedInfo): void;
}

/** The options a rule may have none of, even with its defaults. */
type OptionalOption = 'condition' | 'tags' | 'resolveWhen' | 'resolveCondition';

/** A rule evaluated on the data path (`createRule`). */
export interface Rule {
  readonly name: string;
  /** The options with their defaults. */
  readonly options: Readonly<Required<Omit<RuleOptions, OptionalOption>>> & Pick<RuleOptions, OptionalOption>;
  /** Adds listeners; returns the function that removes them. */
  listen(listeners: RuleListeners): () => void;
  /** Instances firing now (still firing while recovering). */
  firing(): number;
  /** Evaluator throws counted so far. */
  errors(): number;
  /**
   * Forgets every value and instance and clears its timers, without an event; listeners stay. A
   * rule set made without `previous` does this to each rule it is given.
   */
  reset(): void;
}
