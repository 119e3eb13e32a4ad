import { FieldbridgeError } from '../errors.js';
import { POINT_LIMITS } from '../point/point.js';
import { checkTags } from '../point/validate-point.js';
import { RULE_NAME_PATTERN, type Rule, type RuleOptions } from './rule-types.js';

/** Longest `forMs`, `recoverForMs` or `cooldownMs`: what one Node timer can wait (about 24.8 days). */
const MAX_RULE_MS = 2_147_483_647;

/** Shortest `evaluateEveryMs` but 0: every instance of the rule is evaluated at each tick. */
const MIN_EVALUATE_EVERY_MS = 100;

/** Patterns in `metrics` or `sources`, at most. */
const MAX_PATTERNS = 256;

const asItIs = (timestamp: number): number => timestamp;

/** The options with their defaults, checked once; throws `OPTIONS_INVALID` naming the option. */
export function resolveRuleOptions(options: RuleOptions): Rule['options'] {
  const name = typeof options?.name === 'string' ? options.name : '';
  const fail = (message: string): never => {
    throw new FieldbridgeError('OPTIONS_INVALID', `createRule${name ? ` ${name}` : ''}: ${message}`);
  };
  if (!RULE_NAME_PATTERN.test(name)) fail(`name must match ${RULE_NAME_PATTERN.source} (lower case letters, digits, _ and -; at most 64)`);
  const list = (value: readonly string[] | undefined, what: string): string[] => {
    if (value === undefined) return ['*'];
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PATTERNS) fail(`${what} must be a list of 1..${MAX_PATTERNS} names or patterns`);
    for (const v of value) if (typeof v !== 'string' || v.length === 0 || v.length > 256) fail(`${what}: each entry is a name or pattern of 1..256 characters`);
    return [...value];
  };
  const ms = (value: number | undefined, what: string): number => {
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_RULE_MS) fail(`${what} must be 0..${MAX_RULE_MS} ms`);
    return value;
  };
  const per = options.per ?? 'source';
  if (per !== 'source' && per !== 'all') fail("per must be 'source' or 'all'");
  const recovery = options.recovery ?? 'value';
  if (recovery !== 'value' && recovery !== 'silence') fail("recovery must be 'value' or 'silence'");
  const recoverForMs = ms(options.recoverForMs, 'recoverForMs');
  if (recovery === 'silence' && recoverForMs === 0) fail('recovery by silence needs recoverForMs: how long without data resolves the rule');
  if (options.resolveWhen !== undefined && typeof options.resolveWhen !== 'function') fail('resolveWhen must be a function of the view, as the evaluator is');
  if (options.resolveWhen !== undefined && recovery === 'silence') fail("resolveWhen decides a recovery by value, and recovery 'silence' resolves without data whatever the values: drop one");
  const evaluateEveryMs = ms(options.evaluateEveryMs, 'evaluateEveryMs');
  if (evaluateEveryMs > 0 && evaluateEveryMs < MIN_EVALUATE_EVERY_MS) fail(`evaluateEveryMs must be 0 (only on points) or at least ${MIN_EVALUATE_EVERY_MS} ms`);
  const eventMetric = options.eventMetric ?? `alert.${name}`;
  if (typeof eventMetric !== 'string' || eventMetric.length === 0 || eventMetric.length > POINT_LIMITS.metricMaxChars) fail(`eventMetric must be 1..${POINT_LIMITS.metricMaxChars} characters`);
  if (options.tags !== undefined) {
    const problem = checkTags({ ...options.tags, rule: name, state: 'resolved' });
    if (problem) fail(`tags (with rule and state added): ${problem}`);
  }
  if (options.now !== undefined && typeof options.now !== 'function') fail('now must be a function returning ms since the epoch');
  if (options.monotonicNow !== undefined && typeof options.monotonicNow !== 'function') fail('monotonicNow must be a function returning ms');
  if (options.onServerTime !== undefined && typeof options.onServerTime !== 'function') fail('onServerTime must be a function from a timestamp to a timestamp');
  return {
    name,
    metrics: list(options.metrics, 'metrics'),
    sources: list(options.sources, 'sources'),
    per,
    forMs: ms(options.forMs, 'forMs'),
    recovery,
    recoverForMs,
    cooldownMs: ms(options.cooldownMs, 'cooldownMs'),
    evaluateEveryMs,
    eventMetric,
    now: options.now ?? Date.now,
    monotonicNow: options.monotonicNow ?? options.now ?? Date.now,
    onServerTime: options.onServerTime ?? asItIs,
    ...(options.tags === undefined ? {} : { tags: { ...options.tags } }),
    ...(options.condition === undefined ? {} : { condition: String(options.condition) }),
    ...(options.resolveWhen === undefined ? {} : { resolveWhen: options.resolveWhen }),
    ...(options.resolveCondition === undefined ? {} : { resolveCondition: String(options.resolveCondition) }),
  };
}
