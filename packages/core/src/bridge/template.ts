import { POINT_LIMITS } from '../point/point.js';

/** What a placeholder reads from the values of one message: its text, or why it cannot. */
export type PlaceholderValue = string | number | boolean | undefined | { problem: string };

/** Reads one placeholder from the values a template is filled from. */
export type PlaceholderReader<V> = (vars: V) => PlaceholderValue;

/**
 * Resolves a placeholder as written inside `{ }` when the template is compiled: a reader, or
 * an error message naming what is allowed. Bridges with simple names use {@link namedPlaceholders};
 * others parse richer forms (`{topic.1}`, `{json.sensor.id}`).
 */
export type PlaceholderResolver<V> = (name: string) => PlaceholderReader<V> | { error: string };

/** The outcome of filling a template. */
export type RenderResult = { ok: true; text: string } | { ok: false; message: string };

/** A compiled template: text with `{placeholders}`, checked once, filled per message. */
export interface Template<V> {
  /** The template as written. */
  readonly source: string;
  /** The placeholders it uses, as written. */
  readonly placeholders: readonly string[];
  /** The text when the template has no placeholders (then `render` costs nothing). */
  readonly constant: string | undefined;
  /** Fills the template; fails with a message naming the placeholder that could not be read. */
  render(vars: V): RenderResult;
}

type Part<V> = string | { name: string; read: PlaceholderReader<V> };

/**
 * Compiles a template such as `{message}.{signal}`, `drone-{sysid}` or `{device}.{measurement}`
 * once, so that filling it per message is a few string joins. Every `{name}` goes to `resolve`;
 * an unknown name, or a stray `{` or `}`, is a compile error (for the mapping loader to locate).
 */
export function compileTemplate<V>(source: string, resolve: PlaceholderResolver<V>): { ok: true; template: Template<V> } | { ok: false; message: string } {
  const parts: Part<V>[] = [];
  const placeholders: string[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    last = m.index + m[0].length;
    const name = (m[1] as string).trim();
    const read = resolve(name);
    if ('error' in read) return { ok: false, message: read.error };
    parts.push({ name, read });
    placeholders.push(name);
  }
  if (last < source.length) parts.push(source.slice(last));
  if (parts.some((p) => typeof p === 'string' && /[{}]/.test(p))) return { ok: false, message: `unbalanced "{" or "}" in "${source}"` };
  const constant = parts.every((p) => typeof p === 'string') ? parts.join('') : undefined;
  const template: Template<V> = {
    source,
    placeholders,
    constant,
    render(vars) {
      if (constant !== undefined) return { ok: true, text: constant };
      let text = '';
      for (const part of parts) {
        if (typeof part === 'string') {
          text += part;
          continue;
        }
        const value = part.read(vars);
        if (value === undefined) return { ok: false, message: `{${part.name}} is not available here` };
        if (typeof value === 'object') return { ok: false, message: `{${part.name}}: ${value.problem}` };
        text += String(value);
      }
      return { ok: true, text };
    },
  };
  return { ok: true, template };
}

/**
 * A resolver for a fixed set of names, each read by a function of the values; unknown names
 * are refused with the list of known ones.
 */
export function namedPlaceholders<V>(readers: Readonly<Record<string, PlaceholderReader<V>>>): PlaceholderResolver<V> {
  const known = Object.keys(readers);
  return (name) =>
    Object.hasOwn(readers, name) ? (readers[name] as PlaceholderReader<V>) : { error: `unknown placeholder {${name}}; use ${known.map((k) => `{${k}}`).join(', ')}` };
}

/**
 * Fills a metric-name template and tidies it: empty dot-separated segments (left by an empty
 * placeholder) are removed, and the name must be 1..256 characters.
 */
export function renderMetricName<V>(template: Template<V>, vars: V): RenderResult {
  const result = template.render(vars);
  if (!result.ok) return result;
  const text = result.text.includes('..') || result.text.startsWith('.') || result.text.endsWith('.') ? result.text.split('.').filter((s) => s !== '').join('.') : result.text;
  if (text === '') return { ok: false, message: `metric template "${template.source}" gave an empty name` };
  if (text.length > POINT_LIMITS.metricMaxChars) return { ok: false, message: `metric template "${template.source}" gave a name longer than ${POINT_LIMITS.metricMaxChars} characters` };
  return { ok: true, text };
}
