// Metric names the parser would misread, found in the text before it is parsed: jsep reads
// `pump-a.temp` as `pump - a.temp` and refuses `plant.1.temp` with a message that never says
// value("..."), so the condition would subtract silently or be refused with no way out; and
// `TRUE` is a metric named TRUE to it, which never arrives.

import { unitAfterNumber } from './_expression-units.js';

/** A character of a bare name or number, as jsep reads them (letters, digits, `_`, `$`, and beyond ASCII). */
const NAME_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const NAME_START = /[A-Za-z_$\u0080-\uffff]/;
/** A number literal, its exponent sign included: the `-` of `1e-5` is no subtraction. */
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
/** `true` or `false` in any case: `TRUE` written bare is a metric name to the parser. */
const MISCASED_CONSTANT = /^(?:true|false)$/i;
/** Functions taking a metric name: the hint keeps the one written around it. */
const NAME_TAKERS = new Set(['value', 'age', 'rate', 'changes', 'max_of', 'min_of', 'avg_of', 'sum_of', 'count_of']);

/** What is wrong and where (0-based offset in the condition). */
export interface MisreadName {
  message: string;
  offset: number;
}

/**
 * The first metric name written bare that the parser would misread, or undefined: a `-` with a
 * letter, digit or `_` right on both sides (`pump-a.temp`, `a.b-1`, `temp-1`: a name or a
 * subtraction? Spaces around `-` say subtraction, `value("...")` says name; after a number
 * literal, as in `10-2`, it can only subtract), a part of a dotted name starting with a digit
 * (`plant.1.temp`), `true` or `false` not in lower case (`TRUE`), or a number with a unit after
 * it (`80degC`, `20 %`: see `unitAfterNumber`). Quoted strings are skipped.
 */
export function findMisreadName(text: string): MisreadName | undefined {
  let i = 0;
  // Where the last number literal ended: a `-` right after one subtracts (`10-2`), no name has it.
  let afterNumber = -1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      i = endOfString(text, i);
      continue;
    }
    const prev = i > 0 ? text[i - 1]! : '';
    if (/[0-9.]/.test(ch) && !NAME_CHAR.test(prev) && prev !== '.') {
      const number = NUMBER.exec(text.slice(i));
      if (number) {
        const end = i + number[0].length;
        const unit = unitAfterNumber(text, i, end);
        if (unit) return unit;
        i = end;
        afterNumber = i;
        continue;
      }
    }
    if (NAME_START.test(ch) && !NAME_CHAR.test(prev) && prev !== '.') {
      let end = i;
      while (end < text.length && (NAME_CHAR.test(text[end]!) || text[end] === '.')) end += 1;
      const word = text.slice(i, end);
      if (MISCASED_CONSTANT.test(word) && word !== 'true' && word !== 'false') {
        const lower = word.toLowerCase();
        return { offset: i, message: `\`${word}\` would be read as a metric named ${word}: write ${lower} (lower case) for the boolean, or value("${word}") for a metric of that name` };
      }
      const digitPart = /\.(\d)/.exec(word);
      if (digitPart) {
        const name = fullName(text, i);
        return { offset: i + digitPart.index + 1, message: `\`${name.text}\`: a part of a metric name written bare cannot start with a digit: write ${hint(text, name)}` };
      }
      i = end;
      continue;
    }
    if (ch === '-' && i !== afterNumber && NAME_CHAR.test(prev) && NAME_CHAR.test(text[i + 1] ?? '')) {
      const name = fullName(text, i);
      return {
        offset: i,
        message: `\`${name.text}\` reads as ${name.text.split('-').join(' - ')}: write ${hint(text, name)} for a metric name with "-"; put spaces around - to subtract`,
      };
    }
    i += 1;
  }
  return undefined;
}

/** The run of name characters, dots and hyphens around `at`. */
function fullName(text: string, at: number): { text: string; start: number } {
  const part = /[A-Za-z0-9_$.\u0080-\uffff-]/;
  let start = at;
  while (start > 0 && part.test(text[start - 1]!)) start -= 1;
  let end = at;
  while (end < text.length && part.test(text[end]!)) end += 1;
  return { text: text.slice(start, end), start };
}

/** `value("the-name")`, or `age("the-name")` when the name is written inside `age(...)`. */
function hint(text: string, name: { text: string; start: number }): string {
  const before = /([A-Za-z_]+)\s*\(\s*$/.exec(text.slice(0, name.start));
  const fn = before && NAME_TAKERS.has(before[1]!) ? before[1]! : 'value';
  return `${fn}("${name.text}")`;
}

/** The index just past the string literal opened at `start` (or the end of the text). */
function endOfString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === quote) return i + 1;
  }
  return text.length;
}
