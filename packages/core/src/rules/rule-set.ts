import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { FieldbridgeError, isFieldbridgeError } from '../errors.js';
import type { Point, PointValue } from '../point/point.js';
import { globMatch } from '../shared/glob.js';
import { ruleInternals, type RuleInternals } from './_internals.js';
import { carryOver, type Carried } from './_rule-carry.js';
import { registerRuleSet } from './_rule-metrics.js';
import { describeUnheard, UNHEARD_AFTER_MS, watchUnheard } from './_unheard.js';
import type { ExchangeMembership, RuleExchange } from './rule-exchange.js';
import type { Rule } from './rule-types.js';

/** Where a rule set writes its events: the sink, or anything that takes points. */
export interface RuleEventWriter {
  /**
   * Takes a point. Returning `false` (as the sink's `write()` does for a point it refuses: one
   * that broke a rule, or written after `close()`) keeps it from the rules; anything else counts
   * as taken.
   */
  write(point: Point): unknown;
  /** How the sink sends a stamp (see `Sink.onServerTime`): what the other files of a run are shown. */
  onServerTime?(timestamp: number, provisional?: boolean): number;
  /** See `Sink.provisional`. */
  provisional?(timestamp: number): boolean;
}

/** Options of {@link createRuleSet}. */
export interface RuleSetOptions {
  rules: readonly Rule[];
  /** Where fired and resolved events go, as points (the sink: spooled and delivered like any point). */
  sink: RuleEventWriter;
  /** The source of points that carry no `source_id` (the sink's, the mapping file's `source_id`). */
  sourceId: string;
  /** Told once per episode when a rule's evaluator throws. Default: nothing is logged. */
  logger?: Logger;
  /** Where `fieldbridge_rules_firing`, `fieldbridge_rule_events_total` and `fieldbridge_rule_errors_total` go. Default: none. */
  registry?: Registry;
  /**
   * The run's exchange, when several mapping files run together: the points this set observes are
   * shown to the other sets in it, and its rules that list `sources` read the points the others
   * observe too (their events still go to this set's `sink`). Default: none, only this set's points.
   */
  exchange?: RuleExchange;
  /**
   * The set this one replaces (a reload), stopped here if it was not. A rule of it that comes
   * again with the same name and definition goes on with its state: pending and firing alerts,
   * the values read, the last-seen times `age()` reads, its count in `fieldbridge_rules_firing`.
   * A rule changed or gone that was firing is resolved by `reload`, the event written to `sink`,
   * so every `fired` has its `resolved`. Default: none, every rule starts over (`reset`).
   */
  previous?: RuleSet;
  /**
   * How long after the set starts its rules say, once each (a warning), which of the metrics they
   * read no source they watch has sent, with the closest name that was sent (a typo). Default
   * {@link UNHEARD_AFTER_MS} (5 min); 0: never.
   */
  unheardAfterMs?: number;
}

/** Rules on one data path: what they read is found with one lookup per point. */
export interface RuleSet {
  readonly rules: readonly Rule[];
  /**
   * Writes `point` to the sink, then {@link observe}s it if the sink took it: a point the sink
   * refuses (dead-lettered: a NaN, a timestamp in seconds, a bad `source_id`) never reaches the
   * rules. A sink with rules. Never throws.
   */
  write(point: Point): void;
  /** Shorthand for `write({ metric, value, ...extras })`. */
  send(metric: string, value: PointValue, extras?: Omit<Point, 'metric' | 'value'>): void;
  /**
   * Hands a point (already written, and taken by the sink) to the rules that read its metric and
   * watch its source, and to the other sets of the `exchange`. Something that is not a point is
   * ignored. Never throws.
   */
  observe(point: Point): void;
  /**
   * Unhooks the rules and clears their timers; events already written stay in the sink. The
   * rules keep their state for a set made with this one as `previous` (a reload); nothing else
   * reads it. Idempotent.
   */
  stop(): void;
}

/** Metrics whose routes are remembered after a pattern match (those named exactly always are). */
export const MAX_ROUTED_METRICS = 10_000;

export { UNHEARD_AFTER_MS } from './_unheard.js';

const NONE: readonly RuleInternals[] = [];

/**
 * Puts rules on a data path: builds, once, a map from each metric name the rules read to the
 * rules reading it, so a point no rule reads costs one Map lookup. Metrics matched by a pattern
 * (`press*.temp`) are worked out on their first point and remembered (at most
 * {@link MAX_ROUTED_METRICS}, first in first out); a point of a metric no pattern matches is
 * remembered as read by none. Rules with `evaluateEveryMs` are also evaluated on one timer
 * (unref'd, stopped by `stop`), at the shortest period any of them asks for. Events become points
 * written to `sink`. With `previous` (a reload) an unchanged rule goes on where it was, and a
 * changed or removed one that was firing is resolved by `reload`. Throws `OPTIONS_INVALID`
 * for a rule not made by `createRule`, or two rules of one name.
 */
export function createRuleSet(options: RuleSetOptions): RuleSet {
  // No closure here may hold `options`: through `previous` it would keep every set a run's reloads replaced.
  const { sink, sourceId: ownSource, logger, registry, exchange, previous } = options;
  const rules = [...options.rules];
  const parts = rules.map((r) => {
    const part = ruleInternals.get(r);
    if (!part) throw new FieldbridgeError('OPTIONS_INVALID', 'createRuleSet: every rule must come from createRule()');
    return part;
  });
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.name)) throw new FieldbridgeError('OPTIONS_INVALID', `createRuleSet: two rules are named ${r.name}; give each its own name`);
    names.add(r.name);
  }

  const routes = new Map<string, readonly RuleInternals[]>();
  const learned = new Set<string>();
  const withPatterns = parts.filter((p) => p.patterns.length > 0);
  const route = (metric: string): readonly RuleInternals[] => {
    const hit = parts.filter((p) => p.exact.includes(metric) || p.patterns.some((pattern) => globMatch(pattern, metric)));
    return hit.length === 0 ? NONE : hit;
  };
  for (const part of parts) for (const metric of part.exact) routes.set(metric, route(metric));

  const unhook = rules.map((r) =>
    r.listen({
      onFire: (e) => sink.write(e.point),
      onResolved: (e) => sink.write(e.point),
      onError(err, info) {
        const message = (err as Error)?.message ?? String(err);
        // A number that is not finite (10 / 0) is the data's doing, not the evaluator's: say what it means.
        const tells = isFieldbridgeError(err, 'EXPRESSION_NOT_FINITE');
        const what =
          info.in === 'resolveWhen'
            ? `${firingAlert(info)} cannot resolve: its resolve_when${shownCondition(r.options.resolveCondition)} ${tells ? 'cannot tell' : 'threw'} (${message}), which changes nothing: the alert stays firing until it can`
            : tells
              ? `its condition cannot tell (${message}), which changes nothing`
              : `its condition threw (${message})`;
        logger?.warn(
          { rule: info.rule, source_id: info.sourceId, ...(info.match === undefined ? {} : { match: info.match }), err: message },
          `rule ${info.rule}: ${what}; counted in fieldbridge_rule_errors_total, reported once until it evaluates again, and the bridge goes on`,
        );
      },
      onUndecided(info) {
        const why = info.missing.length === 0 ? 'a value it reads is not there yet' : `${info.missing.join(', ')} ${info.missing.length === 1 ? 'has' : 'have'} no value yet`;
        logger?.warn(
          { rule: info.rule, source_id: info.sourceId, ...(info.match === undefined ? {} : { match: info.match }), missing: info.missing },
          `rule ${info.rule}: ${firingAlert(info)} cannot resolve yet: its resolve_when${shownCondition(r.options.resolveCondition)} cannot tell (${why}), so the alert stays firing until it can; said once for this alert until its resolve_when tells again`,
        );
      },
    }),
  );
  const unregister = registry ? registerRuleSet(registry, rules) : () => undefined;
  for (const [i, part] of parts.entries()) {
    const name = rules[i]!.name;
    // A source or metric past the rule's bounds would otherwise be left out without a word: its alerts never fire.
    part.onRefused = (why) => logger?.warn({ rule: name }, `rule ${name}: ${why} (a point past the bound is ignored by this rule, the point itself is sent)`);
  }

  if (previous) {
    previous.stop();
    const carried = carryOver(previous.rules, rules, (old) => {
      // The old rule's listeners went with its set: its last events come here, and count here.
      const off = old.listen({ onResolved: (e) => sink.write(e.point) });
      const uncount = registry ? registerRuleSet(registry, [old]) : () => undefined;
      ruleInternals.get(old)!.endAll();
      off();
      uncount();
    });
    logger?.info(
      { kept: carried.kept, changed: carried.changed, removed: carried.removed, resolved: carried.resolved },
      `alert rules replaced: ${describeCarried(carried)}`,
    );
  } else {
    for (const r of rules) r.reset();
  }

  // Conditions that time alone changes (age()) are evaluated on one timer for the whole set,
  // at the shortest period asked; the timer does not hold the process open.
  const clocked = parts.filter((p) => p.evaluateEveryMs > 0);
  const ticker = clocked.length === 0 ? undefined : setInterval(() => {
    for (const part of clocked) part.tick();
  }, Math.min(...clocked.map((p) => p.evaluateEveryMs)));
  ticker?.unref?.();

  // A rule reading a metric no source sends (a typo) would never fire, without a word: said once, after a while.
  const unheardAfterMs = options.unheardAfterMs ?? UNHEARD_AFTER_MS;
  const unheard = watchUnheard(parts, unheardAfterMs, (reader, left) => {
    const name = rules[parts.indexOf(reader)]!.name;
    logger?.warn({ rule: name, unheard: [...left.names, ...left.patterns] }, describeUnheard(name, left, unheardAfterMs));
  });
  // A rule a reload kept has heard what it holds values of: its watch goes on from there.
  for (const part of parts) part.forEachHeard((metric) => unheard.heard(part, metric));

  let stopped = false;
  /** Shows the point to the rules reading its metric and watching `source`; from another file of the run (`foreign`), only to those that list sources. */
  const deliver = (point: Point, source: string, own: boolean, foreign: boolean, provisional = false): void => {
    const watching = unheard.watching();
    if (watching) unheard.seen(point.metric);
    let readers = routes.get(point.metric);
    if (readers === undefined) {
      if (withPatterns.length === 0 || stopped) return;
      readers = route(point.metric);
      if (learned.size >= MAX_ROUTED_METRICS) {
        const oldest = learned.values().next().value as string;
        learned.delete(oldest);
        routes.delete(oldest);
      }
      learned.add(point.metric);
      routes.set(point.metric, readers);
    }
    if (readers.length === 0 || stopped) return;
    for (const reader of readers) {
      if ((foreign && !reader.listsSources) || !reader.watches(source)) continue;
      reader.ingest(point, source, own, provisional);
      if (watching) unheard.heard(reader, point.metric);
    }
  };
  // Every set publishes (a file without rules still shows its points); only one with a rule that
  // lists sources receives, and such a rule only sees points of the sources it lists.
  const membership = exchange?.join(parts.some((p) => p.listsSources) ? (point, source, provisional) => deliver(point, source, false, true, provisional) : undefined);
  /**
   * Shows the point to the other files' rules with its stamp as this sink sends it: moved onto
   * server time when the sink has the offset for it, else marked provisional (then each reader moves
   * it by its own sink's offset).
   */
  const publish = (m: ExchangeMembership, point: Point, source: string): void => {
    const t = point.timestamp;
    if (t === undefined || !sink.onServerTime) return m.publish(point, source);
    if (sink.provisional?.(t)) return m.publish(point, source, true);
    const moved = sink.onServerTime(t);
    m.publish(moved === t ? point : { ...point, timestamp: moved }, source);
  };
  const observe = (point: Point): void => {
    if (typeof point !== 'object' || point === null || typeof point.metric !== 'string' || stopped) return;
    const source = point.source_id ?? ownSource;
    deliver(point, source, point.source_id === undefined, false);
    if (membership) publish(membership, point, source);
  };

  const write = (point: Point): void => {
    // Rules see what the sink took, nothing it refused: an alert must not fire on a point that
    // never reaches the receiver.
    if (sink.write(point) === false) return;
    observe(point);
  };
  return {
    rules,
    write,
    send: (metric, value, extras) => write({ ...extras, metric, value }),
    observe,
    stop() {
      if (stopped) return;
      stopped = true;
      membership?.leave();
      unheard.stop();
      if (ticker) clearInterval(ticker);
      for (const u of unhook) u();
      for (const part of parts) part.pause();
      unregister();
    },
  };
}

/** `the firing alert of source tank-1 (where * is 01)`: which alert of a rule, as its events name it. */
function firingAlert(info: { sourceId: string | undefined; match?: string }): string {
  const of = info.sourceId === undefined ? '' : ` of source ${info.sourceId}`;
  return `the firing alert${of}${info.match === undefined ? '' : ` (where * is ${info.match})`}`;
}

/** ` (battery > 25)`: a condition as written, when the rule has its text. */
const shownCondition = (text: string | undefined): string => (text === undefined ? '' : ` (${text})`);

/** `kept with their state: a, b; started over (changed): c; removed: d; 2 firing alerts resolved (by: reload)`. */
function describeCarried(c: Carried): string {
  const parts = [
    c.kept.length > 0 ? `kept with their state: ${c.kept.join(', ')}` : '',
    c.changed.length > 0 ? `started over (changed): ${c.changed.join(', ')}` : '',
    c.removed.length > 0 ? `removed: ${c.removed.join(', ')}` : '',
    c.resolved > 0 ? `${c.resolved} firing alert${c.resolved === 1 ? '' : 's'} of those resolved (by: reload)` : '',
  ];
  return parts.filter((p) => p !== '').join('; ') || 'none before, none now';
}
