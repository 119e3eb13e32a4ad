import jsep from 'jsep';
import { FieldbridgeError } from '../errors.js';
import { compilePart, type CompileContext } from './_expression-compile.js';
import { findMisreadName } from './_expression-names.js';
import { MISSING } from './_expression-ops.js';
import { matchedNames } from './_match.js';
import type { RuleEvaluator } from './rule-view.js';

/** Bounds of one condition: its text and the metrics, patterns and sources it may name. */
export const EXPRESSION_LIMITS = {
  /** Longest condition, in characters (which also bounds its nesting). */
  maxChars: 1000,
  /** Most metric names, patterns and sources one condition may name, together. */
  maxNames: 64,
} as const;

/** A condition that cannot be compiled: `code` EXPRESSION_INVALID, and where in its text. */
export class ExpressionError extends FieldbridgeError {
  /** 0-based position in the condition's text of what was refused, when known. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super('EXPRESSION_INVALID', offset === undefined ? message : `${message} (at character ${offset + 1} of the condition)`);
    this.name = 'ExpressionError';
    this.offset = offset;
  }
}

/** A condition compiled once, at load time: closures over the rule's view, no parsing left. */
export interface CompiledExpression {
  /** The condition as written. */
  readonly text: string;
  /** Exact metric names it reads. */
  readonly metrics: readonly string[];
  /** Wildcard patterns it reads, through `max_of`, `min_of`, `avg_of`, `sum_of`, `count_of`. */
  readonly patterns: readonly string[];
  /** Source ids it names in `value(name, source)` or `age(name, source)`. */
  readonly sources: readonly string[];
  /**
   * Names with one `*` it reads one metric at a time, in `value()`, `age()`, `rate()` or
   * `changes()` (`value("freezer*.temperature")`): a rule on this condition keeps one alert per
   * run of characters the `*` stands for (`freezer_01`, `freezer_02`, ...), every such name read
   * with that run in place of its `*`. Also among `metrics`.
   */
  readonly matched: readonly string[];
  /**
   * True when it reads the clock (`age()`): time alone can change its value, so it must also be
   * evaluated on the clock, not only when a point arrives (`evaluateEveryMs` of `createRule`).
   */
  readonly readsClock: boolean;
  /**
   * The condition as a rule evaluator: true, false, or undefined while a metric it needs has no
   * value; throws `EXPRESSION_NOT_FINITE` when its arithmetic gives no finite number.
   */
  readonly evaluate: RuleEvaluator;
}

/**
 * Compiles a rule's condition (`press1.oil.temperature > 80 && age(press1.oil.temperature) < 10`).
 * The text is parsed by jsep, a well-kept expression parser that only builds a tree; every node
 * is then checked against what is offered and compiled to a closure here. Nothing is evaluated
 * as JavaScript, no property of any object is read by a name from the text (metrics are looked up
 * in a Map), and only the offered functions can be called, so a condition can reach neither a
 * prototype nor the process. What is offered: numbers, 'strings', true, false; metric names
 * `a.b.c` and `value("any-name")`, `value(name, "source-id")`; `age(name)` in seconds (noted
 * in the event's values as `age(name)`); a `-` touching a letter, digit or `_` on both sides
 * (`pump-a.temp`, `temp-1`) and a bare name part starting with a digit (`plant.1.temp`) are
 * refused with a hint to write `value("...")` (or spaces around `-` to subtract);
 * `+ - * / %`, `< <= > >= == !=` (no coercion across types), `&& || !`, `? :`; `abs`, `round`,
 * `floor`, `ceil`, `min`, `max`; `max_of`, `min_of`, `avg_of`, `sum_of`, `count_of` over a
 * pattern (`"press*.temp"`). Throws {@link ExpressionError} saying what was refused and where.
 *
 * `evaluate` gives undefined while a metric it needs has no value, and throws `EXPRESSION_NOT_FINITE`
 * for arithmetic that gives no finite number (`10 / 0`, `0 / 0`, `"on" * 2`): a rule counts the
 * throw in its errors and takes the condition as unknown, so neither fires anything.
 */
export function compileExpression(text: string): CompiledExpression {
  if (typeof text !== 'string' || text.trim() === '') throw new ExpressionError('the condition is empty: write one, e.g. press1.oil.temperature > 80');
  if (text.length > EXPRESSION_LIMITS.maxChars) throw new ExpressionError(`the condition is longer than ${EXPRESSION_LIMITS.maxChars} characters`);
  // Before jsep, which would read `pump-a.temp` as a subtraction and say nothing of value("...").
  const misread = findMisreadName(text);
  if (misread) throw new ExpressionError(misread.message, misread.offset);
  let tree: jsep.Expression;
  try {
    tree = jsep(text);
  } catch (err) {
    const e = err as { description?: string; index?: number; message?: string };
    throw new ExpressionError(e.description ?? e.message ?? String(err), typeof e.index === 'number' ? Math.min(e.index, text.length - 1) : undefined);
  }
  const c: CompileContext = {
    metrics: new Set(),
    patterns: new Set(),
    sources: new Set(),
    matched: new Set(),
    readsClock: false,
    text,
    fail(message, near) {
      const at = near === undefined ? -1 : text.indexOf(near);
      throw new ExpressionError(message, at >= 0 ? at : undefined);
    },
  };
  const part = compilePart(tree, c);
  if (c.metrics.size + c.patterns.size === 0) throw new ExpressionError('the condition reads no metric, so it could never change: name one, e.g. press1.oil.temperature > 80');
  if (c.metrics.size + c.patterns.size + c.sources.size > EXPRESSION_LIMITS.maxNames) throw new ExpressionError(`the condition names more than ${EXPRESSION_LIMITS.maxNames} metrics, patterns and sources`);
  const evaluate: RuleEvaluator = (view) => {
    const result = part(view);
    return result === MISSING ? undefined : Boolean(result);
  };
  if (c.matched.size > 0) matchedNames.set(evaluate, [...c.matched]);
  return {
    text,
    metrics: [...c.metrics],
    patterns: [...c.patterns],
    sources: [...c.sources],
    matched: [...c.matched],
    readsClock: c.readsClock,
    evaluate,
  };
}
