import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CommonConfig } from '../config/common-schema.js';
import { alertEventTagCount, type RuleConfig } from '../config/rules-schema.js';
import { FieldbridgeError } from '../errors.js';
import { POINT_LIMITS } from '../point/point.js';
import { formatDuration } from '../config/units.js';
import { compileExpression } from '../rules/expression.js';
import { createRule } from '../rules/rule.js';
import type { RuleExchange } from '../rules/rule-exchange.js';
import { createRuleSet, type RuleSet } from '../rules/rule-set.js';
import type { Rule } from '../rules/rule-types.js';
import type { Sink } from '../sink/sink-types.js';
import { withFileDefaults, type FileDefaults } from './_file-defaults.js';

/**
 * How often a condition that reads the clock (`age()`) is evaluated besides on each point, in ms:
 * a stale-data alarm fires (or starts its `for`) at most this long after its condition became true.
 */
export const CLOCK_EVALUATION_MS = 1000;

/** What the rules of a file take from its sink: its clock, and how a stored stamp reads on it. */
export type RuleTime = { clock: { now(): number; monotonicNow(): number } } & Pick<Sink, 'onServerTime'>;

/**
 * The rules of a mapping file's `rules:` section, their conditions compiled, on the sink's clock,
 * `age()` reading the stamps taken before its first sample as the sink sends them.
 */
export function rulesFromConfig(rules: readonly RuleConfig[] | undefined, sink: RuleTime): Rule[] {
  const { clock } = sink;
  const onServerTime = sink.onServerTime?.bind(sink);
  return (rules ?? []).map((r) => {
    const compiled = compileExpression(r.when);
    const resolve = r.resolve_when === undefined ? undefined : compileExpression(r.resolve_when);
    return createRule(
      {
        name: r.name,
        metrics: [...compiled.metrics, ...compiled.patterns, ...(resolve ? [...resolve.metrics, ...resolve.patterns] : [])],
        ...(r.sources ? { sources: r.sources } : {}),
        ...(r.per ? { per: r.per } : {}),
        ...(r.for === undefined ? {} : { forMs: r.for }),
        ...(r.recovery ? { recovery: r.recovery } : {}),
        ...(r.recover_for === undefined ? {} : { recoverForMs: r.recover_for }),
        ...(r.cooldown === undefined ? {} : { cooldownMs: r.cooldown }),
        ...(r.metric ? { eventMetric: r.metric } : {}),
        ...(r.tags ? { tags: r.tags } : {}),
        ...(compiled.readsClock || resolve?.readsClock ? { evaluateEveryMs: CLOCK_EVALUATION_MS } : {}),
        condition: r.when,
        ...(resolve ? { resolveWhen: resolve.evaluate, resolveCondition: r.resolve_when } : {}),
        now: () => clock.now(),
        monotonicNow: () => clock.monotonicNow(),
        ...(onServerTime ? { onServerTime } : {}),
      },
      compiled.evaluate,
    );
  });
}

/** What a start asks of its rules (`StartBridgeOptions`): the library's own, the run's exchange, the set a reload replaces. */
export interface RuleSetAsked {
  rules?: readonly Rule[];
  ruleExchange?: RuleExchange;
  previousRules?: RuleSet;
}

/**
 * The rule set of a running mapping: the file's `rules:` and the library's (`asked.rules`), their
 * events written to `sink` (with the file's `source_id` and tags when the sink does not add them:
 * `fileDefaults`), their clock the sink's. With the run's exchange (several files run together)
 * the set shows its points to the other files' rules, even with no rule of its own. With the set
 * a reload replaces, unchanged rules keep their state. Undefined when there is no rule at all, no
 * exchange and no rule of a replaced set to resolve, so the data path costs nothing.
 */
export function ruleSetFor(config: CommonConfig, asked: RuleSetAsked, deps: { sink: Sink; logger: Logger; registry: Registry; fileDefaults: FileDefaults | undefined }): RuleSet | undefined {
  const extra = asked.rules;
  const exchange = asked.ruleExchange;
  const previous = asked.previousRules;
  for (const r of extra ?? []) {
    // The file's rules were checked when it loaded; a library rule meets the file's tags here.
    const count = alertEventTagCount(config.tags, r.options.tags);
    if (count > POINT_LIMITS.maxTags) throw new FieldbridgeError('OPTIONS_INVALID', `rule ${r.name}: its alert events would carry ${count} tags with the mapping's tags (the sink adds them to every point), more than ${POINT_LIMITS.maxTags}, and every one would be refused: give it fewer tags, or the file fewer`);
  }
  const rules = [...rulesFromConfig(config.rules, deps.sink), ...(extra ?? [])];
  // A reload that removes every rule still makes a set, once: the firing alerts of the rules it removes are resolved.
  if (rules.length === 0 && !exchange && !(previous && previous.rules.length > 0)) return undefined;
  const set = createRuleSet({
    rules,
    sink: deps.fileDefaults ? withFileDefaults(deps.sink, deps.fileDefaults) : deps.sink,
    sourceId: config.source_id,
    logger: deps.logger,
    registry: deps.registry,
    ...(exchange ? { exchange } : {}),
    ...(previous ? { previous } : {}),
  });
  if (rules.length === 0) return set;
  deps.logger.info({ rules: rules.map((r) => r.name) }, `${rules.length} alert rule${rules.length === 1 ? '' : 's'} evaluated on every point: ${rules.map((r) => r.name).join(', ')}`);
  return set;
}

/** One line per rule of the file, for `--check`. */
export function describeRules(rules: readonly RuleConfig[] | undefined): string[] {
  return (rules ?? []).map((r) => {
    const parts = [`${r.name}: when ${r.when}`];
    if (compileExpression(r.when).readsClock) parts.push(`evaluated every ${formatDuration(CLOCK_EVALUATION_MS)} too (${/\bage\s*\(/.test(r.when) ? 'it reads age' : 'it counts changes'})`);
    if (r.for) parts.push(`for ${formatDuration(r.for)}`);
    const held = r.recover_for ? ` for ${formatDuration(r.recover_for)}` : '';
    parts.push(r.recovery === 'silence' ? `resolved by ${formatDuration(r.recover_for ?? 0)} of silence` : r.resolve_when !== undefined ? `resolved once ${r.resolve_when} and not ${r.when}${held}` : `resolved once false${held}`);
    if (r.cooldown) parts.push(`cooldown ${formatDuration(r.cooldown)}`);
    parts.push(r.per === 'all' ? 'one alert over all sources' : 'one alert per source');
    if (r.sources) parts.push(`sources ${r.sources.join(', ')}`);
    parts.push(`-> ${r.metric ?? `alert.${r.name}`}`);
    return parts.join('; ');
  });
}
