// The operators and functions a condition may use, as tables: what is not in them is refused.

/** What an expression part yields when a metric it needs has no value yet: the condition cannot tell. */
export const MISSING: unique symbol = Symbol('missing');

/** A number as it is; anything else NaN (no coercion from strings or booleans). */
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
/** Two numbers or two strings: what `+` and the comparisons accept. */
export const sameKind = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

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

