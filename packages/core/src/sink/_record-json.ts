import { excerpt } from '../shared/text.js';

/** Deepest nesting written out; below it an object is recorded as a note (bounded work and text). */
const MAX_DEPTH = 32;
/** Longest text of one value JSON cannot carry (a function's source, a huge BigInt). */
const TEXT_CHARS = 200;

/**
 * What JSON cannot carry, recorded as `{"$type", "$text"}`: the value's JavaScript type and the
 * value as text. Plain JSON would write NaN and Infinity as `null`, leave out an `undefined`
 * value (or a whole `undefined` point), and throw on a BigInt or a cycle, so the record would not
 * show why the point was refused.
 */
export interface UnencodableValue {
  /** `number`, `bigint`, `undefined`, `function`, `symbol`, `circular`, or `object` (nested too deeply, or unreadable). */
  $type: string;
  $text?: string;
}

const marker = (type: string, text?: string): UnencodableValue => (text === undefined ? { $type: type } : { $type: type, $text: excerpt(text, TEXT_CHARS) });

/**
 * `value` as JSON text that shows it faithfully: what JSON cannot carry is written as an
 * {@link UnencodableValue} in its place (NaN as `{"$type":"number","$text":"NaN"}`, a cycle as
 * `{"$type":"circular"}`), nesting past 32 levels as `{"$type":"object","$text":"nested too
 * deeply"}`. Never throws: a value that cannot even be read (a getter that throws) is a note too.
 */
export function recordJson(value: unknown): string {
  const ancestors: unknown[] = [];
  try {
    return JSON.stringify(value, function (this: unknown, _key: string, v: unknown): unknown {
      switch (typeof v) {
        case 'number':
          return Number.isFinite(v) ? v : marker('number', String(v));
        case 'bigint':
          return marker('bigint', String(v));
        case 'undefined':
          return marker('undefined');
        case 'function':
          return marker('function', String(v));
        case 'symbol':
          return marker('symbol', String(v));
        case 'object': {
          if (v === null) return v;
          // The holder (`this`) is the object being written: what is above it on the stack is done.
          while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
          if (ancestors.includes(v)) return marker('circular', 'a reference to an object that contains it');
          if (ancestors.length >= MAX_DEPTH) return marker('object', 'nested too deeply');
          ancestors.push(v);
          return v;
        }
        default:
          return v;
      }
    });
  } catch (err) {
    return JSON.stringify(marker(typeof value, `could not be read: ${(err as Error)?.message ?? String(err)}`));
  }
}
