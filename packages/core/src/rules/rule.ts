import { FieldbridgeError } from '../errors.js';
import type { Point } from '../point/point.js';
import { globMatch } from '../shared/glob.js';
import { createInstances, type Instance } from './_instance.js';
import { ruleInternals, type RuleInternals } from './_internals.js';
import { matchedNames, matchIn } from './_match.js';
import { resolveRuleOptions } from './_rule-options.js';
import { createRuleState, MAX_SOURCES, notesObject } from './_state.js';
import type { RuleEvaluator, RuleView } from './rule-view.js';
import type { ResolvedBy, Rule, RuleErrorInfo, RuleEvent, RuleListeners, RuleOptions } from './rule-types.js';
import { unreadMetrics } from './_unread.js';

/**
 * Creates an alert rule, RelayX's ephemeral alert on the data path: `evaluator` is asked on every
 * point of a metric the rule reads (and every `evaluateEveryMs` too, for a condition that time
 * alone changes), over the rolling state (the latest value and timestamp of
 * each metric it reads, per source); the rule fires once its condition has held for `forMs`
 * (measured on the rule's clock, so a value that stops changing still fires), resolves by
 * `value` (a false evaluation `recoverForMs` or more after the condition turned false, none
 * true between: a silent source is not a recovered one; with `resolveWhen`, one finding it true
 * and the condition not, for hysteresis) or by `silence` (no point for
 * `recoverForMs`), and never fires again within `cooldownMs` of its last fire (a condition still
 * holding when the cooldown ends fires then). Events reach `listen`ers; a rule set writes them
 * to the sink as points. An evaluator that throws is counted, reported once per episode, and
 * changes nothing. Throws `OPTIONS_INVALID` for bad options.
 */
export function createRule(options: RuleOptions, evaluator: RuleEvaluator): Rule {
  const o = resolveRuleOptions(options);
  const listeners = new Set<RuleListeners>();
  const exact = o.metrics.filter((m) => !m.includes('*'));
  const patterns = o.metrics.filter((m) => m.includes('*'));
  const anySource = o.sources.includes('*');
  // A compiled condition reading value("freezer*.temperature"): one instance per metric matched.
  const matched = matchedNames.get(evaluator) ?? [];
  const resolveMatched = o.resolveWhen ? (matchedNames.get(o.resolveWhen) ?? []) : [];
  const unmatched = resolveMatched.find((name) => !matched.includes(name));
  if (unmatched !== undefined) {
    throw new FieldbridgeError('OPTIONS_INVALID', `createRule ${o.name}: resolveWhen reads ${unmatched} one metric at a time, which the condition does not: each alert is one metric the condition's * names match, so resolveWhen may read only those`);
  }
  const state = createRuleState(o.per === 'all', o.now, patterns, o.onServerTime);
  let errorCount = 0;
  let erroring = false;
  let ignored = 0;
  /** A bound refused a point since the rule was made: told once (the next ones are only counted). */
  let refusalTold = false;

  const emit = (event: RuleEvent) => {
    for (const l of [...listeners]) {
      try {
        if (event.state === 'fired') l.onFire?.(event);
        else l.onResolved?.(event);
      } catch (err) {
        failed(err, event.sourceId);
      }
    }
  };
  function failed(err: unknown, sourceId: string | undefined, where: Pick<RuleErrorInfo, 'match' | 'in'> = { in: 'condition' }): void {
    errorCount += 1;
    if (erroring) return;
    erroring = true;
    for (const l of [...listeners]) {
      try {
        l.onError?.(err, { rule: o.name, sourceId, count: errorCount, ...where });
      } catch {
        // An error listener that throws has nobody left to tell; the throw is counted above.
      }
    }
  }

  const resolveWhen = o.resolveWhen;
  /** Firing alerts told their `resolveWhen` cannot tell yet, until it tells again. */
  const undecidedTold = new WeakSet<Instance>();
  /** A firing alert's `resolveWhen` that cannot tell yet, said once to the listeners with what it lacks. */
  const undecided = (instance: Instance): void => {
    if (undecidedTold.has(instance)) return;
    undecidedTold.add(instance);
    const info = { rule: o.name, sourceId: instance.own ? undefined : instance.sourceId, ...(instance.match === undefined ? {} : { match: instance.match }), missing: unreadMetrics(resolveWhen!, state.view) };
    for (const l of [...listeners]) {
      try {
        l.onUndecided?.(info);
      } catch (err) {
        failed(err, info.sourceId);
      }
    }
  };
  /**
   * Whether a firing instance still holds, for a rule with `resolveWhen`: not once `resolveWhen`
   * is true and the condition is not (both read, so the event carries what both saw).
   */
  const stillFiring = (instance: Instance, view: RuleView): boolean | undefined => {
    let resolves: boolean | undefined;
    try {
      resolves = resolveWhen!(view);
    } catch (err) {
      throw new ResolveWhenThrew(err);
    }
    if (resolves === undefined) {
      undecided(instance);
      return undefined;
    }
    undecidedTold.delete(instance);
    return !resolves || evaluator(view) === true;
  };

  /**
   * Evaluates `instance` now: its condition, or while it fires whether it still does (see
   * `resolveWhen`); undefined when it cannot tell or threw; what it read is kept for the events.
   */
  const judge = (instance: Instance): boolean | undefined => {
    let holds: boolean | undefined;
    state.begin(instance.sourceId, instance.match);
    try {
      const firingNow = instance.phase === 'firing' || instance.phase === 'recovering';
      holds = resolveWhen && firingNow ? stillFiring(instance, state.view) : evaluator(state.view);
    } catch (err) {
      const where = { ...(instance.match === undefined ? {} : { match: instance.match }), in: err instanceof ResolveWhenThrew ? ('resolveWhen' as const) : ('condition' as const) };
      failed(err instanceof ResolveWhenThrew ? err.thrown : err, instance.own ? undefined : instance.sourceId, where);
      return undefined;
    }
    erroring = false;
    if (holds === undefined) return undefined;
    state.keepNotes(instance.notes);
    return Boolean(holds);
  };
  const evaluate = (instance: Instance, now: number): void => {
    const holds = judge(instance);
    if (holds !== undefined) instances.step(instance, holds, now);
  };

  /** A point the instance reads came: it is evaluated, and counts as data for a recovery by silence. */
  const heard = (instance: Instance, now: number): void => {
    instance.lastDataAt = now;
    instance.silenced = false;
    evaluate(instance, now);
  };

  const instances = createInstances(o, (instance: Instance, kind: 'fired' | 'resolved', tick: number, by?: ResolvedBy) => {
    // Durations were measured on the monotonic clock; the event's times are stamps read from
    // `now`, never worked out from one another: before the sink's first clock sample each is a
    // provisional stamp the sink moves onto server time wherever it is written (the event's
    // timestamp, `since`, a later `fired_at`), all by one offset. A fire in the instant the
    // condition began to hold (no `for`) is stamped once: its `since` is its timestamp.
    const at = kind === 'fired' && tick === instance.since ? instance.sinceStamp : o.now();
    // The fire's own stamp is kept, not read again at the resolve: `now` may have been corrected
    // since (each answer of the receiver nudges the sink's clock), and `fired_at` must equal the
    // fired event's timestamp for a receiver to pair them.
    if (kind === 'fired') instance.firedStamp = at;
    const since = kind === 'fired' ? instance.sinceStamp : instance.firedStamp;
    const sourceId = instance.own ? undefined : instance.sourceId;
    const values = notesObject(instance.notes);
    const match = instance.match === undefined ? {} : { match: instance.match };
    const texts = { ...(o.condition === undefined ? {} : { condition: o.condition }), ...(o.resolveCondition === undefined ? {} : { resolve_condition: o.resolveCondition }) };
    const value: Record<string, unknown> = { rule: o.name, state: kind, ...match, ...texts, values };
    if (kind === 'fired') Object.assign(value, { since, for_ms: o.forMs });
    else Object.assign(value, { fired_at: since, by, duration_ms: tick - instance.firedAt });
    const point: Point = {
      metric: o.eventMetric,
      value,
      class: 'event',
      timestamp: at,
      tags: { ...o.tags, rule: o.name, state: kind },
      ...(sourceId === undefined ? {} : { source_id: sourceId }),
    };
    emit({ rule: o.name, state: kind, sourceId, ...match, atMs: at, values, sinceMs: since, ...(by ? { by } : {}), point });
  }, o.evaluateEveryMs > 0 ? judge : undefined);

  const rule: Rule = {
    name: o.name,
    options: o,
    listen(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    firing: () => instances.firing(),
    errors: () => errorCount,
    reset() {
      instances.clear();
      state.clear();
      erroring = false;
    },
  };

  const internals: RuleInternals = {
    onRefused: undefined,
    exact,
    patterns,
    watches: (sourceId) => anySource || o.sources.some((p) => globMatch(p, sourceId)),
    listsSources: options.sources !== undefined,
    ingest(point, sourceId, own, provisional = false) {
      const now = o.monotonicNow();
      const refusal = state.put(sourceId, point.metric, point.value, point.timestamp ?? o.now(), provisional && point.timestamp !== undefined);
      const scope = o.per === 'all' ? undefined : sourceId;
      const match = matched.length === 0 ? undefined : matchIn(matched, point.metric);
      if (refusal === undefined && matched.length > 0 && match === undefined) {
        // A metric every alert of the scope reads besides its own (a set point, an aggregate): each
        // is evaluated, but it is not their data: a tag that went silent stays silent for a
        // recovery by silence while the set point keeps coming, and one resolved so waits for its own.
        instances.forEach((instance) => {
          if (instance.sourceId === scope && !instance.silenced) evaluate(instance, now);
        });
        return;
      }
      const instance = refusal === undefined ? instances.get(scope, own, match) : undefined;
      if (!instance) {
        ignored += 1;
        if (!refusalTold) {
          refusalTold = true;
          internals.onRefused?.(refusal ?? `it keeps at most ${MAX_SOURCES} instances, so ${match === undefined ? sourceId : `${point.metric} of ${sourceId}`} and every further one are not evaluated`);
        }
        return;
      }
      heard(instance, now);
    },
    evaluateEveryMs: o.evaluateEveryMs,
    tick() {
      const now = o.monotonicNow();
      instances.forEach((instance) => {
        if (!instance.silenced) evaluate(instance, now);
      });
    },
    ignored: () => ignored,
    definition: definitionOf(o, options.sources !== undefined),
    evaluator,
    pause: () => instances.pause(),
    resume: () => instances.resume(),
    handOver: () => ({ instances: instances.handOver(), state: state.handOver() }),
    takeOver(from) {
      const content = from.handOver();
      state.adopt(content.state);
      instances.adopt(content.instances);
    },
    endAll() {
      instances.endAll('reload');
      state.clear();
    },
    forEachHeard: (visit) => state.forEachMetric(visit),
  };
  ruleInternals.set(rule, internals);
  return rule;
}

/** What `resolveWhen` threw, told apart from the condition's throw on its way to the report. */
class ResolveWhenThrew {
  constructor(readonly thrown: unknown) {}
}

/** The options that make a rule what it is, as one string: equal for a rule a reload made unchanged. */
function definitionOf(o: Rule['options'], listsSources: boolean): string {
  const tags = Object.entries(o.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const resolve = o.resolveCondition ?? (o.resolveWhen ? true : null);
  return JSON.stringify([o.name, o.condition ?? null, resolve, o.metrics, o.sources, listsSources, o.per, o.forMs, o.recovery, o.recoverForMs, o.cooldownMs, o.evaluateEveryMs, o.eventMetric, tags]);
}
