// The operators and functions a condition may use, as tables: what is not in them is refused.

import { FieldbridgeError } from '../errors.js';
import type { PatternAggregates } from './_pattern-group.js';

/** What an expression part yields when a metric it needs has no value yet: the condition cannot tell. */
export const MISSING: unique symbol = Symbol('missing');

/** A number as it is; anything else NaN (no coercion from strings or booleans). */
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
/** Two numbers or two strings: what `+` and the comparisons accept. */
export const sameKind = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

/** Binary operators that compute a number: a result that is not a finite number is refused ({@link finite}). */
export const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

/** Comparisons that order two values: they need two numbers or two strings ({@link ordered}). */
export const ORDERING = new Set(['<', '<=', '>', '>=']);

/** What a value is, for a message: `a number`, `a string`, `a boolean`, `an object`, `null`. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Checks that an ordering comparison has two numbers or two strings; otherwise throws
 * `EXPRESSION_NOT_FINITE` (`"ERR" > 80 compares a string with a number`): the rule takes the
 * condition as unknown, as for arithmetic that gives no number. Read as false, a sensor's `"ERR"`
 * or a `null` where a number was expected would resolve a firing alert it says nothing about.
 */
export function ordered(a: unknown, b: unknown, operator: string): void {
  if (sameKind(a, b)) return;
  throw new FieldbridgeError('EXPRESSION_NOT_FINITE', `${shown(a)} ${operator} ${shown(b)} compares ${kindOf(a)} with ${kindOf(b)}, which tells nothing`);
}

/** Comparisons of equality: a boolean and a number or a string are never equal, which {@link equated} refuses. */
export const EQUALITY = new Set(['==', '===', '!=', '!==']);

/**
 * Checks that an equality does not compare a boolean with a number or a string; otherwise throws
 * `EXPRESSION_NOT_FINITE` (`true == 1 compares a boolean with a number ...`): the rule takes the
 * condition as unknown and logs it. A coil or a switch arrives as `true`/`false`, and
 * `pump.running == 1` would otherwise be false for ever (the alert never fires, without a word),
 * `pump.running != 0` true for ever.
 */
export function equated(a: unknown, b: unknown, operator: string): void {
  const aIs = typeof a === 'boolean';
  if (aIs === (typeof b === 'boolean')) return;
  const other = aIs ? b : a;
  if (typeof other !== 'number' && typeof other !== 'string') return;
  const bool = (aIs ? a : b) as boolean;
  throw new FieldbridgeError(
    'EXPRESSION_NOT_FINITE',
    `${shown(a)} ${operator} ${shown(b)} compares ${kindOf(a)} with ${kindOf(b)}, which are never equal: a coil or a switch arrives as true or false, so write == ${bool} (or == ${!bool})`,
  );
}

/**
 * `result` when it is not a number or a finite one; otherwise throws `EXPRESSION_NOT_FINITE`
 * naming what gave it (`10 / 0 is Infinity, a division by zero`): the rule counts the throw in
 * its errors, reports it once per episode, and takes the condition as unknown, which changes
 * nothing. Without this, `a / b > 2` would fire on Infinity and `x != 1` on NaN.
 */
export function finite(result: unknown, what: () => string, why?: string): unknown {
  if (typeof result !== 'number' || Number.isFinite(result)) return result;
  throw new FieldbridgeError('EXPRESSION_NOT_FINITE', `${what()} is ${result}${why ? `, ${why}` : ''}`);
}

/** Why an arithmetic operator gave no finite number, for the message. */
export function notFiniteReason(operator: string, a: unknown, b: unknown): string {
  if (typeof a !== 'number' || typeof b !== 'number') return 'arithmetic on what is not a number';
  if ((operator === '/' || operator === '%') && b === 0) return operator === '/' ? 'a division by zero' : 'a modulo by zero';
  return 'out of the range of numbers';
}

/** A value as a message shows it: numbers as they are, text quoted and cut short, anything else by its type. */
export function shown(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v);
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `an ${typeof v}`;
}

/** Binary operators offered, with JavaScript's meaning on numbers and no coercion across types. */
export const BINARY = new Map<string, (a: unknown, b: unknown) => unknown>([
  // The orderings are checked first by {@link ordered}: two numbers or two strings reach them.
  ['+', (a, b) => (sameKind(a, b) ? (a as number) + (b as number) : Number.NaN)],
  ['-', (a, b) => num(a) - num(b)],
  ['*', (a, b) => num(a) * num(b)],
  ['/', (a, b) => num(a) / num(b)],
  ['%', (a, b) => num(a) % num(b)],
  ['<', (a, b) => sameKind(a, b) && (a as number) < (b as number)],
  ['<=', (a, b) => sameKind(a, b) && (a as number) <= (b as number)],
  ['>', (a, b) => sameKind(a, b) && (a as number) > (b as number)],
  ['>=', (a, b) => sameKind(a, b) && (a as number) >= (b as number)],
  ['==', (a, b) => a === b],
  ['===', (a, b) => a === b],
  ['!=', (a, b) => a !== b],
  ['!==', (a, b) => a !== b],
]);

/** Functions of numbers offered; anything that is not a number makes them NaN. */
export const MATH = new Map<string, (args: unknown[]) => unknown>([
  ['abs', (a) => Math.abs(num(a[0]))],
  ['round', (a) => Math.round(num(a[0]))],
  ['floor', (a) => Math.floor(num(a[0]))],
  ['ceil', (a) => Math.ceil(num(a[0]))],
  ['min', (a) => Math.min(...a.map(num))],
  ['max', (a) => Math.max(...a.map(num))],
]);

/** Aggregates over the metrics matching a pattern, in the instance's view (non-numbers count only in `count_of`). */
export const AGGREGATES = new Map<string, (g: PatternAggregates) => unknown>([
  ['max_of', (g) => (g.numbers === 0 ? MISSING : g.max)],
  ['min_of', (g) => (g.numbers === 0 ? MISSING : g.min)],
  ['avg_of', (g) => (g.numbers === 0 ? MISSING : g.sum / g.numbers)],
  ['sum_of', (g) => (g.numbers === 0 ? MISSING : g.sum)],
  ['count_of', (g) => g.count],
]);

/** Every function an expression may call, for messages. */
export const OFFERED_FUNCTIONS = ['value', 'age', 'rate', 'changes', ...MATH.keys(), ...AGGREGATES.keys()];

