// The operators and functions a condition may use, as tables: what is not in them is refused.

import { FieldbridgeError } from '../errors.js';

/** What an expression part yields when a metric it needs has no value yet: the condition cannot tell. */
export const MISSING: unique symbol = Symbol('missing');

/** A number as it is; anything else NaN (no coercion from strings or booleans). */
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
/** Two numbers or two strings: what `+` and the comparisons accept. */
export const sameKind = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

/** Binary operators that compute a number: a result that is not a finite number is refused ({@link finite}). */
export const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

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

/** What one pass over the metrics matching a pattern gathers. */
export interface Gathered {
  count: number;
  numbers: number;
  sum: number;
  min: number;
  max: number;
}

/** Aggregates over the metrics matching a pattern, in the instance's view (non-numbers count only in `count_of`). */
export const AGGREGATES = new Map<string, (g: Gathered) => unknown>([
  ['max_of', (g) => (g.numbers === 0 ? MISSING : g.max)],
  ['min_of', (g) => (g.numbers === 0 ? MISSING : g.min)],
  ['avg_of', (g) => (g.numbers === 0 ? MISSING : g.sum / g.numbers)],
  ['sum_of', (g) => (g.numbers === 0 ? MISSING : g.sum)],
  ['count_of', (g) => g.count],
]);

/** Every function an expression may call, for messages. */
export const OFFERED_FUNCTIONS = ['value', 'age', ...MATH.keys(), ...AGGREGATES.keys()];

