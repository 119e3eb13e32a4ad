// A unit written after a number (`80degC`, `20 %`, `-15 °C`): values carry no units, and the
// parser would say something unhelpful about it ("Expected expression after %", "one expression
// is expected"), or nothing at all when the unit is glued on.

import type { MisreadName } from './_expression-names.js';

/** A character a unit starts with, or is made of, as jsep reads a name (letters, `_`, `$`, and beyond ASCII: `°`). */
const UNIT_START = /[A-Za-z_$\u0080-\uffff]/;
const UNIT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
/** What may end an operand: the end of the text, `)`, `,`, `&&`, `||`, `?`, `:`. */
const OPERAND_END = /^\s*(?:$|\)|,|&&|\|\||\?|:)/;
/** The comparison written just before a number (and its minus), to show what to write instead. */
const COMPARISON_BEFORE = /(<=|>=|==|!=|<|>)\s*(-?)\s*$/;

/**
 * The unit written after the number literal at `start`..`end` of `text`, or undefined: letters
 * right after it (`80degC`, `30s`); or, after spaces, a `%` with no operand after it (`20 %`, where
 * `20 % 3` is a modulo) or a word that starts with `°` or ends the operand (`15 °C`, `15 C &&`: a
 * number followed by a word is never an expression). Its offset is the unit's.
 */
export function unitAfterNumber(text: string, start: number, end: number): MisreadName | undefined {
  let at = end;
  while (at < text.length && /\s/.test(text[at]!)) at += 1;
  const spaced = at > end;
  let stop = at;
  if (text[at] === '%') {
    stop = at + 1;
    if (!OPERAND_END.test(text.slice(stop))) return undefined;
  } else if (UNIT_START.test(text[at] ?? '')) {
    while (stop < text.length && UNIT_CHAR.test(text[stop]!)) stop += 1;
    if (spaced && text[at] !== '°' && !OPERAND_END.test(text.slice(stop))) return undefined;
  } else {
    return undefined;
  }
  const number = text.slice(start, end);
  const comparison = COMPARISON_BEFORE.exec(text.slice(0, start));
  const write = comparison ? `${comparison[1]} ${comparison[2]}${number}` : number;
  return {
    offset: at,
    message: `\`${text.slice(start, stop)}\`: a condition takes no units (values carry none): write \`${write}\`, the number alone in the unit the metric is sent in`,
  };
}
