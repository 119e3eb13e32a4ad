import { closestName, excerpt } from '@fieldbridge/core/bridge';

/**
 * One step of a {@link JsonPath}: an object key or an array index.
 */
export type JsonPathStep = { key: string } | { index: number };

/** A parsed JSON path: the text it came from and its steps (none for `$`). */
export interface JsonPath {
  source: string;
  steps: JsonPathStep[];
}

/** The outcome of {@link parseJsonPath}. */
export type ParsedJsonPath = { ok: true; path: JsonPath } | { ok: false; message: string };

/** The outcome of {@link evaluateJsonPath}: the value, or the first step that was missing. */
export type JsonPathResult = { found: true; value: unknown } | { found: false; missing: string };

const DOT_KEY = /^[^.[\]\s'"]+/;

/**
 * Parses the JSON path subset the mapping accepts: `$` followed by `.key`, `[0]` (array
 * index) and `['any key']` / `["any key"]` steps, e.g. `$.reading.value`, `$.sensors[2].t`,
 * `$['temp (C)']`. No filters, wildcards, recursion or scripts: a path names one value.
 */
export function parseJsonPath(source: string): ParsedJsonPath {
  const fail = (at: number, what: string): ParsedJsonPath => ({
    ok: false,
    message: `JSON path "${source}": ${what} at character ${at + 1} (the subset is $, .key, [0] and ['key'], e.g. $.reading.value)`,
  });
  if (!source.startsWith('$')) return fail(0, 'must start with $');
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '.') {
      const key = DOT_KEY.exec(source.slice(i + 1))?.[0];
      if (!key) return fail(i + 1, 'expected a key after "."');
      steps.push({ key });
      i += 1 + key.length;
    } else if (c === '[') {
      const rest = source.slice(i + 1);
      const index = /^(\d+)\]/.exec(rest);
      if (index) {
        steps.push({ index: Number(index[1]) });
        i += 1 + index[0].length;
        continue;
      }
      const quoted = /^(['"])((?:\\.|(?!\1)[^\\])*)\1\]/.exec(rest);
      if (!quoted) return fail(i, 'expected [<index>] or [\'key\']');
      steps.push({ key: (quoted[2] as string).replace(/\\(.)/g, '$1') });
      i += 1 + quoted[0].length;
    } else {
      return fail(i, `unexpected "${c}"`);
    }
  }
  return { ok: true, path: { source, steps } };
}

/** Formats steps back to path text, e.g. `$.a[0]['b c']`. */
export function formatJsonPath(steps: readonly JsonPathStep[]): string {
  let out = '$';
  for (const step of steps) {
    if ('index' in step) out += `[${step.index}]`;
    else out += DOT_KEY.exec(step.key)?.[0] === step.key ? `.${step.key}` : `['${step.key.replace(/(['\\])/g, '\\$1')}']`;
  }
  return out;
}

/**
 * Reads the value at `path` inside a parsed JSON document. Only own properties of plain
 * objects and elements of arrays are followed, so a path can never reach a prototype.
 */
export function evaluateJsonPath(path: JsonPath, root: unknown): JsonPathResult {
  let current: unknown = root;
  for (let i = 0; i < path.steps.length; i++) {
    const step = path.steps[i] as JsonPathStep;
    if ('index' in step) {
      if (!Array.isArray(current) || step.index >= current.length) return { found: false, missing: formatJsonPath(path.steps.slice(0, i + 1)) };
      current = current[step.index];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, step.key)) {
        return { found: false, missing: formatJsonPath(path.steps.slice(0, i + 1)) };
      }
      current = (current as Record<string, unknown>)[step.key];
    }
  }
  return { found: true, value: current };
}

/** Keys of an object looked at for a hint: a payload may have thousands. */
const HINT_KEYS = 200;
/** Longest key compared by spelling for a hint. */
const HINT_KEY_LENGTH = 64;
/** Keys listed when none is close to the one asked for. */
const LISTED_KEYS = 8;

/** What a JSON value is, in a few words. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'bigint') return 'a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The format that reads a payload that is a bare scalar. */
const SCALAR_FORMAT: Record<string, string> = { number: 'number', bigint: 'number', string: 'text', boolean: 'boolean' };

/**
 * Why {@link evaluateJsonPath} found nothing at `path`, as a hint to fix the path: the key spelled
 * otherwise there (`did you mean $.Value?`, any case or a typo), the keys there, an array where an
 * object was expected, or a payload that is no object at all. Empty when there is nothing to add.
 */
export function missingHint(path: JsonPath, root: unknown): string {
  let current: unknown = root;
  for (let i = 0; i < path.steps.length; i++) {
    const step = path.steps[i] as JsonPathStep;
    const at = formatJsonPath(path.steps.slice(0, i));
    if ('index' in step) {
      if (!Array.isArray(current)) return `${at} is ${kindOf(current)}, not an array`;
      if (step.index >= current.length) {
        const range = current.length === 1 ? ` (${at}[0])` : current.length > 1 ? ` (${at}[0] to ${at}[${current.length - 1}])` : '';
        return `${at} has ${current.length} element${current.length === 1 ? '' : 's'}${range}`;
      }
      current = current[step.index];
      continue;
    }
    if (current === null || typeof current !== 'object') {
      const format = i === 0 && typeof current !== 'object' ? SCALAR_FORMAT[typeof current] : undefined;
      return format ? `the payload is ${kindOf(current)}, not an object: read it with format: ${format}` : `${at} is ${kindOf(current)}, not an object`;
    }
    if (Array.isArray(current)) {
      const first: unknown = current[0];
      const inFirst = first !== null && typeof first === 'object' && !Array.isArray(first) && Object.hasOwn(first, step.key);
      return `${at} is ${kindOf(current)}, not an object${inFirst ? `: did you mean ${formatJsonPath([...path.steps.slice(0, i), { index: 0 }, ...path.steps.slice(i)])}?` : `: name an element, e.g. ${at}[0]`}`;
    }
    if (!Object.hasOwn(current, step.key)) {
      const keys = Object.keys(current).slice(0, HINT_KEYS);
      const lower = step.key.toLowerCase();
      // Edit distances cost the product of the lengths: only names of a usual length are compared.
      const near = keys.find((k) => k.toLowerCase() === lower) ?? (step.key.length <= HINT_KEY_LENGTH ? closestName(step.key, keys.filter((k) => k.length <= HINT_KEY_LENGTH)) : undefined);
      if (near !== undefined) return `did you mean ${formatJsonPath([...path.steps.slice(0, i), { key: near }])}?`;
      if (keys.length === 0) return `${at} is an empty object`;
      const listed = keys.slice(0, LISTED_KEYS).map((k) => excerpt(k, 40));
      return `${i === 0 ? 'the payload' : at} has ${listed.join(', ')}${keys.length > LISTED_KEYS ? ', ...' : ''}`;
    }
    current = (current as Record<string, unknown>)[step.key];
  }
  return '';
}
