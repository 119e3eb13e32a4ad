import { z } from 'zod';
import { POINT_LIMITS, SOURCE_ID_PATTERN } from '../point/point.js';
import { globMatch } from '../shared/glob.js';
import { compileExpression, EXPRESSION_LIMITS, ExpressionError, type CompiledExpression } from '../rules/expression.js';
import { RULE_NAME_PATTERN } from '../rules/rule-types.js';
import { durationMs } from './units.js';

const DAY_MS = 86_400_000;

/** Most rules one mapping file may hold. */
export const MAX_RULES = 256;

/**
 * A rule's condition: compiled at load time, so a condition that does not parse or uses what is
 * not offered is refused at its `file:line:col`, the column pointing into the condition.
 */
const conditionText = z
  .string()
  .max(EXPRESSION_LIMITS.maxChars)
  .superRefine((text, ctx) => {
    try {
      compileExpression(text);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, ...(err.offset === undefined ? {} : { params: { offset: err.offset } }) });
    }
  });

const condition = conditionText.describe(
  'The condition, e.g. "press1.oil.temperature > 80": metric names (value("drone-1.alt") for a name with - or a part starting with a digit), numbers without units, \'strings\', true, false, + - * / % (spaces around - to subtract), < <= > >= == !=, && || !, ? :, and the functions value, age, rate, changes, abs, round, floor, ceil, min, max, max_of, min_of, avg_of, sum_of, count_of. rate(name, seconds) is the change per second over that window, changes(name, seconds) how many times the value changed in it. A name with one * in value, age, rate or changes (value("freezer_*.temperature")) reads one metric at a time: one alert per metric it matches. One using age (seconds since a metric\'s last point) or changes is also evaluated every second, so it fires on data that stopped coming. It also resolves the alert, once false, unless resolve_when is given.',
);

/** What resolves a firing alert instead of its condition turning false: hysteresis. */
const resolveCondition = conditionText.describe(
  'What resolves the alert while it fires, instead of the condition turning false, e.g. "battery.level > 25" for a when of "battery.level < 20": hysteresis, so a value hovering at the threshold fires once. The alert resolves once resolve_when is true and when is not (after recover_for of that, if given); while it does not fire, only when counts. The same language as when; its * names must be among when\'s. Not with recovery: silence. Default: resolved once when is false.',
);

const pattern = z.string().min(1).max(256);

/** The tags a rule adds to its events itself. */
const RULE_TAGS = ['rule', 'state'] as const;

/**
 * The tags an alert event of a rule with `ruleTags` carries once the sink adds the file's
 * `fileTags` (the rule's own win on a shared key). Only these: the `bridge` and `channel` tags of
 * a file of several sections go on the bridges' points, never on the events.
 */
export function alertEventTagCount(fileTags: Readonly<Record<string, string>> | undefined, ruleTags: Readonly<Record<string, string>> | undefined): number {
  return new Set([...Object.keys(fileTags ?? {}), ...Object.keys(ruleTags ?? {}), ...RULE_TAGS]).size;
}

/**
 * Problems of rules whose events would carry more tags than a point may have with the file's
 * `tags:`, which the sink adds to every point: it would refuse (dead-letter) every alert event of
 * the rule. Paths are relative to the file: the rule's `tags`, or the rule when it has none.
 */
export function alertTagIssues(fileTags: Readonly<Record<string, string>> | undefined, rules: readonly RuleConfig[] | undefined): { path: (string | number)[]; message: string }[] {
  const max = POINT_LIMITS.maxTags;
  const fileCount = Object.keys(fileTags ?? {}).length;
  const base = alertEventTagCount(fileTags, undefined);
  const refused = `so the sink would refuse every alert event (dead-lettered, never sent)`;
  return (rules ?? []).flatMap((r, i) => {
    const count = alertEventTagCount(fileTags, r.tags);
    if (count <= max) return [];
    const own = Object.keys(r.tags ?? {}).length;
    if (own === 0 || base > max) {
      return [{ path: ['rules', i, ...(own === 0 ? [] : ['tags'])], message: `its alert events would carry ${base} tags, more than the ${max} a point may have: the file's ${fileCount} (tags:, added to every point) and rule and state (added by the rule), ${refused}. Remove ${base - max} from the file's tags:` }];
    }
    return [{ path: ['rules', i, 'tags'], message: `at most ${max - base} tags here: every alert event also carries the file's ${fileCount} tags (tags:) and rule and state, and a point may have ${max}; with these ${own} it would carry ${count}, ${refused}. Remove ${count - max} here or from tags:` }];
  });
}

/** One alert rule of a mapping file (`rules:`). */
export const ruleSchema = z
  .strictObject({
    name: z.string().regex(RULE_NAME_PATTERN, 'lower case letters, digits, _ and -, at most 64 characters').describe('Names the rule, its events (alert.<name>) and its metrics\' rule label.'),
    when: condition,
    resolve_when: resolveCondition.optional(),
    for: durationMs({ unit: 's', maxMs: DAY_MS }).optional().describe('How long the condition must hold before the rule fires. Default 0: at once (range 0..1d).'),
    recovery: z.enum(['value', 'silence']).optional().describe('value: resolved once the condition has been found false for recover_for (data must keep coming); silence: resolved by recover_for without data. Default value.'),
    recover_for: durationMs({ unit: 's', maxMs: DAY_MS }).optional().describe('How long the recovery takes (range 0..1d). Default 0; recovery: silence needs one.'),
    cooldown: durationMs({ unit: 's', maxMs: 7 * DAY_MS }).optional().describe('No fire within this long of the last one (range 0..7d). Default 0.'),
    per: z.enum(['source', 'all']).optional().describe('source: one alert per source, over its own metrics; all: one alert over every source watched. Default source.'),
    sources: z.array(pattern).min(1).max(64).optional().describe('Source ids watched, * matching any run of characters. Listed, the rule also reads the points of the other files run with this one (fieldbridge run a.yaml b.yaml) from the sources it lists; its events go to this file\'s sink. Default: every source of this file\'s points.'),
    metric: z.string().min(1).max(256).optional().describe('Metric of the event points. Default alert.<name>.'),
    tags: z
      .record(z.string().max(256), z.string().max(256))
      .refine((t) => Object.keys(t).length <= POINT_LIMITS.maxTags - RULE_TAGS.length, `at most ${POINT_LIMITS.maxTags - RULE_TAGS.length} tags (rule and state are added, and the file's tags count too)`)
      .optional()
      .describe(`Tags added to the event points. With the file's tags and rule and state, which every event carries, at most ${POINT_LIMITS.maxTags} in all.`),
  })
  .superRefine((rule, ctx) => {
    if (rule.recovery === 'silence' && !(rule.recover_for! > 0)) ctx.addIssue({ code: 'custom', path: ['recovery'], message: 'recovery: silence needs recover_for, how long without data resolves the rule' });
    if (rule.recovery === 'silence' && rule.resolve_when !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['resolve_when'], message: 'resolve_when decides a recovery by value, and recovery: silence resolves after recover_for without data, whatever the values: drop one of them' });
    }
    for (const key of ['rule', 'state']) if (rule.tags && Object.hasOwn(rule.tags, key)) ctx.addIssue({ code: 'custom', path: ['tags', key], message: `the tag ${key} is set by the rule itself` });
    const watched = rule.sources;
    if (watched) for (const [i, s] of watched.entries()) if (!s.includes('*') && !SOURCE_ID_PATTERN.test(s)) ctx.addIssue({ code: 'custom', path: ['sources', i], message: `not a source id (${SOURCE_ID_PATTERN.source}) nor a pattern with *` });
    const when = compiledOrUndefined(rule.when);
    const resolve = rule.resolve_when === undefined ? undefined : compiledOrUndefined(rule.resolve_when);
    for (const [key, compiled] of [['when', when], ['resolve_when', resolve]] as const) {
      for (const source of watched ? (compiled?.sources ?? []) : []) {
        if (!watched!.some((p) => globMatch(p, source))) ctx.addIssue({ code: 'custom', path: [key], message: `the condition reads source ${source}, which sources does not watch: add it to sources` });
      }
    }
    const unmatched = resolve?.matched.find((name) => !when?.matched.includes(name));
    if (when && unmatched !== undefined) {
      const hint = when.matched.length === 0 ? 'when reads none, so its alert is not one per metric' : `when reads ${when.matched.map((n) => `"${n}"`).join(', ')}`;
      ctx.addIssue({ code: 'custom', path: ['resolve_when'], message: `resolve_when reads "${unmatched}" one metric at a time, but each alert is one metric of the * names of when (${hint}): use those names here` });
    }
  });

/** The condition compiled, or undefined when it does not compile (its key reports that itself). */
function compiledOrUndefined(text: string): CompiledExpression | undefined {
  try {
    return compileExpression(text);
  } catch {
    return undefined;
  }
}

/** The `rules:` section: alert rules evaluated on every point, their events delivered through the sink. */
export const rulesSchema = z
  .array(ruleSchema)
  .max(MAX_RULES)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of rules.entries()) {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `a second rule named ${r.name}: each rule needs its own name` });
      seen.add(r.name);
    }
  })
  .describe('Alert rules evaluated at the edge on every point (and every second for conditions using age); fired and resolved become event points (alert.<name>) delivered through the sink.');

/** One validated rule of a mapping file. */
export type RuleConfig = z.output<typeof ruleSchema>;
