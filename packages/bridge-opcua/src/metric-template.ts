import { compileTemplate, excerpt, type PlaceholderResolver, type PlaceholderValue, type PointValue, type Template } from '@fieldbridge/core/bridge';
import { normalizeBrowseName, type MetricNameMode } from './metric-names.js';

/** What a value's metric template is filled from: browse names, from the folder (or Objects) down to the variable. */
export interface PathVars {
  path: readonly string[];
}

/** What an event's metric template is filled from: the event's fields by name. */
export type EventVars = Readonly<Record<string, PointValue | null>>;

/** Placeholders of value templates. */
export const PATH_PLACEHOLDERS = ['{path}', '{path.N}', '{name}'] as const;
/** Placeholders of event templates, and the field each reads. */
export const EVENT_PLACEHOLDERS: Readonly<Record<string, string>> = { source_name: 'SourceName', event_type: 'EventType' };

/** Longest text a placeholder takes from a server (a browse name, a source name), in characters. */
export const MAX_PLACEHOLDER_CHARS = 128;

/** A browse name as a template takes it: as written, or normalised (a problem when nothing is left). */
function nameReader(mode: MetricNameMode): (name: string) => PlaceholderValue {
  if (mode === 'as_browsed') return (name) => name;
  return (name) => {
    const normal = normalizeBrowseName(name);
    if (normal !== '') return normal;
    return { problem: `the browse name "${excerpt(name, MAX_PLACEHOLDER_CHARS)}" keeps no letter or digit under metric_names: normalized; name this variable in nodes[], or set metric_names: as_browsed` };
  };
}

const pathResolver =
  (mode: MetricNameMode): PlaceholderResolver<PathVars> =>
  (name) => {
    const read = nameReader(mode);
    if (name === 'path') {
      return (v) => {
        if (v.path.length === 0) return { problem: 'the browse path is empty' };
        const names = v.path.map(read);
        const problem = names.find((n) => typeof n === 'object');
        return problem ?? names.join('.');
      };
    }
    if (name === 'name') return (v) => (v.path.length === 0 ? { problem: 'the browse path is empty' } : read(v.path.at(-1)!));
    const level = /^path\.(\d{1,2})$/.exec(name);
    if (level) {
      const n = Number(level[1]);
      return (v) => (n < v.path.length ? read(v.path[n]!) : { problem: `the browse path has ${v.path.length} level(s), not ${n + 1}` });
    }
    return { error: `unknown placeholder {${name}}; use ${PATH_PLACEHOLDERS.join(', ')}` };
  };

/**
 * Compiles a `nodes[]` or `folders[]` metric template: `{path}`, `{path.N}` (0-based), `{name}`.
 * Under `normalized` the browse names are written by {@link normalizeBrowseName}; the text of the
 * template itself is taken as written either way.
 */
export function compilePathTemplate(source: string, mode: MetricNameMode = 'as_browsed'): { ok: true; template: Template<PathVars> } | { ok: false; message: string } {
  return compileTemplate(source, pathResolver(mode));
}

const eventResolver: PlaceholderResolver<EventVars> = (name) => {
  const field = EVENT_PLACEHOLDERS[name];
  if (field === undefined) return { error: `unknown placeholder {${name}}; use ${Object.keys(EVENT_PLACEHOLDERS).map((k) => `{${k}}`).join(', ')}` };
  return (fields) => {
    const value = fields[field];
    if (value === null || value === undefined || value === '') return { problem: `the event has no ${field}` };
    if (typeof value === 'object') return { problem: `the event's ${field} is not text` };
    // Text a server sent: bounded before it becomes part of a name.
    return excerpt(String(value), MAX_PLACEHOLDER_CHARS);
  };
};

/** Compiles an `events[]` metric template: `{source_name}`, `{event_type}`. */
export function compileEventTemplate(source: string): { ok: true; template: Template<EventVars> } | { ok: false; message: string } {
  return compileTemplate(source, eventResolver);
}

/** The event fields a compiled event template reads. */
export function eventFieldsRead(template: Template<EventVars>): string[] {
  return template.placeholders.map((p) => EVENT_PLACEHOLDERS[p]).filter((f): f is string => f !== undefined);
}
