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
