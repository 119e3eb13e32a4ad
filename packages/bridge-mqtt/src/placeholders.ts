import { compileTemplate, type PlaceholderReader, type PlaceholderResolver, type Template } from '@fieldbridge/core/bridge';
import { brief } from './_values.js';
import { evaluateJsonPath, parseJsonPath, type JsonPath } from './json-path.js';

/** Names a `{placeholder}` may have besides `topic.N` and `json.<path>`. */
export const NAMED_PLACEHOLDERS = ['topic', 'field', 'group', 'edge_node', 'device', 'name'] as const;

/** What an MQTT template is filled from. Absent parts make the placeholders using them fail. */
export interface MqttVars {
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

/** A compiled MQTT metric-name or tag template. */
export type MqttTemplate = Template<MqttVars>;

function jsonReader(path: JsonPath): PlaceholderReader<MqttVars> {
  return (vars) => {
    if (vars.json === undefined) return { problem: 'the payload is not JSON' };
    const found = evaluateJsonPath(path, vars.json);
    if (!found.found) return { problem: `${found.missing} is missing` };
    const value = found.value;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
    if (typeof value === 'bigint') return value.toString();
    return { problem: `${brief(value)} is not a string, number or boolean` };
  };
}

/**
 * The placeholders of bridge-mqtt's templates: `{topic}` (every level, joined with `.`),
 * `{topic.N}` (level N, from 0), `{json.<path>}` (a string, number or boolean of the JSON payload:
 * `{json.sensor.id}` reads `$.sensor.id`), `{field}` and the Sparkplug names `{group}`,
 * `{edge_node}`, `{device}`, `{name}`. Which of them fit a subscription is checked by `resolve`.
 */
export const mqttPlaceholders: PlaceholderResolver<MqttVars> = (name) => {
  const level = /^topic\.(\d+)$/.exec(name);
  if (level) {
    const index = Number(level[1]);
    return (vars) => vars.levels[index] ?? { problem: `the topic has only ${vars.levels.length} levels` };
  }
  if (name.startsWith('json.') || name.startsWith('json[')) {
    const path = parseJsonPath(`$${name.slice(4)}`);
    return path.ok ? jsonReader(path.path) : { error: `{${name}}: ${path.message}` };
  }
  if (name === 'topic') return (vars) => vars.levels.join('.');
  if ((NAMED_PLACEHOLDERS as readonly string[]).includes(name)) return (vars) => vars[name as Exclude<keyof MqttVars, 'levels' | 'json'>];
  return { error: `unknown placeholder {${name}} (use {topic}, {topic.N}, {json.<path>}, {field}, or for Sparkplug {group}, {edge_node}, {device}, {name})` };
};

/** Compiles a metric-name or tag template with {@link mqttPlaceholders}. */
export function compileMqttTemplate(source: string): { ok: true; template: MqttTemplate } | { ok: false; message: string } {
  return compileTemplate(source, mqttPlaceholders);
}
