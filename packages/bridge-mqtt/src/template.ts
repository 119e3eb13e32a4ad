import { evaluateJsonPath, parseJsonPath, type JsonPath } from './json-path.js';

/** Names a `{placeholder}` may have besides `topic.N` and `json.<path>`. */
export const NAMED_PLACEHOLDERS = ['topic', 'field', 'group', 'edge_node', 'device', 'name'] as const;

/** A named placeholder: `{topic}`, `{field}`, or a Sparkplug one. */
export type NamedPlaceholder = (typeof NAMED_PLACEHOLDERS)[number];

/** One part of a parsed template. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'named'; name: NamedPlaceholder }
  | { kind: 'level'; index: number }
  | { kind: 'json'; path: JsonPath };

/** A parsed template such as `{topic.1}.{json.sensor}.temperature`. */
export interface Template {
  source: string;
  parts: TemplatePart[];
}

/** The outcome of {@link parseTemplate}. */
export type ParsedTemplate = { ok: true; template: Template } | { ok: false; message: string };

/** What a template is filled from. Absent parts make the placeholders using them fail. */
export interface TemplateVars {
  /** The message topic's levels (without any `$share` prefix: topics never carry one). */
  levels: readonly string[];
  /** The parsed JSON payload, for `{json.<path>}`. */
  json?: unknown;
  /** The entry name of a `fields` value, for `{field}`. */
  field?: string;
  /** Sparkplug B names; `device` is '' for node-level messages. */
  group?: string;
  edge_node?: string;
  device?: string;
  name?: string;
}

/** The outcome of {@link renderTemplate}. */
export type RenderResult = { ok: true; text: string } | { ok: false; message: string };

/**
 * Parses `{topic}` (every level, joined with `.`), `{topic.N}` (level N, from 0), `{json.<path>}`
 * (a value of the JSON payload: `{json.sensor.id}` reads `$.sensor.id`), `{field}` and the
 * Sparkplug names `{group}`, `{edge_node}`, `{device}`, `{name}`. Other text is literal.
 */
export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m.index > last) parts.push({ kind: 'text', text: source.slice(last, m.index) });
    last = m.index + m[0].length;
    const inner = (m[1] as string).trim();
    const level = /^topic\.(\d+)$/.exec(inner);
    if (level) {
      parts.push({ kind: 'level', index: Number(level[1]) });
    } else if (inner.startsWith('json.') || inner.startsWith('json[')) {
      const path = parseJsonPath(`$${inner.slice(4)}`);
      if (!path.ok) return { ok: false, message: `{${inner}}: ${path.message}` };
      parts.push({ kind: 'json', path: path.path });
    } else if ((NAMED_PLACEHOLDERS as readonly string[]).includes(inner)) {
      parts.push({ kind: 'named', name: inner as NamedPlaceholder });
    } else {
      return { ok: false, message: `unknown placeholder {${inner}} (use {topic}, {topic.N}, {json.<path>}, {field}, or for Sparkplug {group}, {edge_node}, {device}, {name})` };
    }
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  if (parts.some((p) => p.kind === 'text' && /[{}]/.test(p.text))) return { ok: false, message: `unbalanced "{" or "}" in "${source}"` };
  return { ok: true, template: { source, parts } };
}

/** The placeholders a template uses, as written (`topic.1`, `json.a`, `device`). */
export function placeholdersOf(template: Template): string[] {
  return template.parts.flatMap((p) => {
    if (p.kind === 'named') return [p.name];
    if (p.kind === 'level') return [`topic.${p.index}`];
    if (p.kind === 'json') return [`json${p.path.source.slice(1)}`];
    return [];
  });
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Fills a template. Fails (with a message naming the placeholder) when a topic level or JSON
 * value is missing, or a JSON value is not a string, number or boolean.
 */
export function renderTemplate(template: Template, vars: TemplateVars): RenderResult {
  let text = '';
  for (const part of template.parts) {
    switch (part.kind) {
      case 'text':
        text += part.text;
        break;
      case 'level': {
        const level = vars.levels[part.index];
        if (level === undefined) return { ok: false, message: `{topic.${part.index}}: the topic has only ${vars.levels.length} levels` };
        text += level;
        break;
      }
      case 'json': {
        const found = vars.json === undefined ? undefined : evaluateJsonPath(part.path, vars.json);
        if (!found?.found) return { ok: false, message: `{json${part.path.source.slice(1)}}: ${found ? `${found.missing} is missing` : 'the payload is not JSON'}` };
        const value = scalar(found.value);
        if (value === undefined) return { ok: false, message: `{json${part.path.source.slice(1)}}: ${JSON.stringify(found.value)?.slice(0, 40)} is not a string, number or boolean` };
        text += value;
        break;
      }
      case 'named': {
        const value = part.name === 'topic' ? vars.levels.join('.') : vars[part.name];
        if (value === undefined) return { ok: false, message: `{${part.name}} is not available here` };
        text += value;
        break;
      }
    }
  }
  return { ok: true, text };
}

/**
 * Fills a metric name template and tidies it: empty dot-separated segments (left by an empty
 * `{device}` or topic level) are removed, so `{edge_node}.{device}.temp` gives `node1.temp`
 * for a node-level metric.
 */
export function renderMetricName(template: Template, vars: TemplateVars): RenderResult {
  const result = renderTemplate(template, vars);
  if (!result.ok) return result;
  const text = result.text.split('.').filter((s) => s !== '').join('.');
  if (text === '') return { ok: false, message: `metric template "${template.source}" gave an empty name` };
  if (text.length > 256) return { ok: false, message: `metric template "${template.source}" gave a name longer than 256 characters` };
  return { ok: true, text };
}
