import type { z } from 'zod';
import { closestName } from '../shared/edit-distance.js';

/**
 * A schema issue in words a user acts on. The validator's own ("Invalid input: expected
 * string, received number", "Too small: expected number to be >=0") says what is wrong, not
 * what to write: a number where text is wanted is most often an id or a UUID written bare
 * (`uuid: 1809`), and text where a number is wanted a number in quotes. `value` is what the
 * file holds at the issue's path, when it is there.
 */
export function issueWords(issue: z.core.$ZodIssue, value: unknown): string {
  return plainWords(issue, value) + meantChoice(issue, value);
}

function plainWords(issue: z.core.$ZodIssue, value: unknown): string {
  // A message a schema wrote itself (a duration's "must be at least 1s (range 1s..1w)") stays.
  if (!/^(Invalid input|Too small|Too big)\b/.test(issue.message)) return issue.message;
  if (issue.code === 'invalid_type' && issue.expected === 'int' && typeof value === 'number') return `must be a whole number (found ${String(value)})`;
  if (issue.code === 'invalid_type') {
    // `modbus:` with its keys at its own column (or none yet) holds nothing: YAML reads null.
    if (value === null && (issue.expected === 'object' || issue.expected === 'array')) {
      const what = issue.expected === 'object' ? 'its keys' : 'its items, each starting with "- ",';
      return `has nothing under it: write ${what} on the lines below, indented deeper than this key`;
    }
    if (issue.expected === 'object' && Array.isArray(value)) return 'expected keys (key: value), found a list: write the keys without "- " before them';
    const got = typeof value;
    if (issue.expected === 'string' && (got === 'number' || got === 'boolean')) return `expected text, found ${got === 'number' ? 'the number' : 'the boolean'} ${String(value)}: quote it ("${String(value)}") to write it as text`;
    if (issue.expected === 'object' && got === 'string') {
      const glued = keyWithoutSpace(value as string);
      if (glued) return glued;
    }
    if (issue.expected === 'number' && got === 'string' && (value as string).trim() !== '' && Number.isFinite(Number(value))) return `expected a number, found the text "${String(value)}": write it without quotes`;
    // `systems: 1` where a list is wanted: the one item, written as a list.
    if (issue.expected === 'array' && (got === 'number' || got === 'string' || got === 'boolean')) {
      const item = got === 'string' ? JSON.stringify(value) : String(value);
      return `expected a list, found ${got === 'string' ? 'the text' : got === 'number' ? 'the number' : 'the boolean'} ${item}: write it as a list, [${item}], even of one`;
    }
  }
  if (issue.code === 'too_small' && issue.origin === 'array' && Array.isArray(value)) {
    const least = Number(issue.minimum);
    return `${value.length === 0 ? 'is an empty list' : `holds ${value.length}`}: give at least ${least} ${least === 1 ? 'item' : 'items'}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number') {
    const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
    const inclusive = issue.inclusive !== false;
    const words = issue.code === 'too_small' ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
    return `must be ${words} ${String(limit)}${value === undefined ? '' : ` (found ${String(value)})`}`;
  }
  return issue.message;
}

/**
 * `- name:a` where a mapping is wanted: `key:value` without a space after the colon is text, not
 * a key. The words naming each such pair and how to write it; undefined when the text is not that.
 */
function keyWithoutSpace(text: string): string | undefined {
  const words = text.trim().split(/\s+/);
  const glued = words.filter((w) => /^[A-Za-z_][\w.-]*:[^\s:]/.test(w));
  if (glued.length === 0 || !/^[A-Za-z_][\w.-]*:/.test(words[0]!)) return undefined;
  const fixed = glued.map((w) => w.replace(':', ': '));
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `"${shown}" has no space after the colon, so YAML reads it as text, not ${glued.length === 1 ? 'a key' : 'keys'}: write ${fixed.join(', then ')}`;
}

/**
 * ` (did you mean holding?)` for a word that is not one of a choice's (`holdings`, `FLOAT32`,
 * `cdab`): the allowed one it is in another case, else the one spelled nearly so; empty when
 * none is that close, or the issue is not a choice.
 */
function meantChoice(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code !== 'invalid_value' || typeof value !== 'string') return '';
  const allowed = issue.values.filter((v): v is string => typeof v === 'string');
  const byLower = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const word = value.trim().toLowerCase();
  const near = closestName(word, byLower.keys());
  const meant = byLower.get(word) ?? (near === undefined ? undefined : byLower.get(near));
  return meant === undefined || meant === value ? '' : ` (did you mean ${meant}?)`;
}
