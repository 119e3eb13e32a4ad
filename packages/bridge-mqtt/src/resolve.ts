import type { SectionIssue } from '@fieldbridge/core/bridge';
import type { MqttConfig, MqttSubscriptionConfig, PAYLOAD_FORMATS, TIMESTAMP_UNITS, VALUE_TYPES } from './config.js';
import { parseJsonPath, type JsonPath } from './json-path.js';
import { compileMqttTemplate, type MqttTemplate } from './placeholders.js';
import { compileSwitchWords, namesSwitchWords, type SwitchWordKeys, type SwitchWords } from './switch-words.js';
import { fixedLevelCount, parseTopicFilter, type TopicFilter } from './topic.js';

/** Defaults of the optional mapping keys (reconnect: the kit's `RECONNECT_DEFAULTS`). */
export const MQTT_DEFAULTS = {
  protocolVersion: 4,
  clean: true,
  sessionExpiryS: 86_400,
  keepaliveS: 30,
  connectTimeoutMs: 10_000,
  maxPacketBytes: 1024 * 1024,
  qos: 1,
  format: 'json',
  valueType: 'number',
  timestampUnit: 'ms',
  sparkplugMetric: '{group}.{edge_node}.{device}.{name}',
  sparkplugStateMetric: '{group}.{edge_node}.{device}.state',
} as const;

/** Tags whose values are templates, applied in order (a later key wins). */
export type ResolvedTags = readonly (readonly [string, MqttTemplate])[];

/** How a point is named: a metric-name template and tag templates (the subscription's, then a field's). */
export interface Naming {
  metric: MqttTemplate;
  tags: ResolvedTags;
}

/** A payload format. */
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
/** How a JSON value is read. */
export type ValueType = (typeof VALUE_TYPES)[number];
/** Unit of a payload timestamp. */
export type TimestampUnit = (typeof TIMESTAMP_UNITS)[number];

/** One value read from a JSON payload: the subscription's `value`, or one of its `fields`. */
export interface ResolvedValue {
  /** The `fields` entry name; undefined for the subscription's own `value`. */
  field: string | undefined;
  path: JsonPath;
  type: ValueType;
  /** True: absent or null in a payload gives no point and no problem, instead of `missing_value`. Default false. */
  optional?: boolean;
  /** Type boolean: the words named as on and off (`payload_on` / `payload_off`), besides the built-in ones. */
  words?: SwitchWords;
  /** The metric and every tag of its points: the subscription's tags, then the field's. */
  naming: Naming;
}

/** A subscription with every default applied and every template and path parsed. */
export interface ResolvedSubscription {
  /** Index in `subscriptions[]`. */
  index: number;
  /** The subscription's name: `name`, else the topic as written. */
  name: string;
  topic: TopicFilter;
  qos: 0 | 1 | 2;
  format: PayloadFormat;
  /** The metric template (format number, boolean, text, sparkplug). */
  metric: MqttTemplate | undefined;
  /** Format boolean: the words named as on and off (`payload_on` / `payload_off`), besides the built-in ones. */
  words?: SwitchWords;
  /** Values read from a JSON payload (format json). */
  values: ResolvedValue[];
  /** The payload's time: `timeZone` is the zone of ISO 8601 dates written without one (undefined: none, such a date is refused). */
  timestamp: { path: JsonPath; unit: TimestampUnit; timeZone: string | undefined } | undefined;
  tags: ResolvedTags;
  /** Metric of Sparkplug online/offline events (format sparkplug). */
  stateMetric: MqttTemplate | undefined;
  /** Sparkplug: ask edge nodes for a rebirth when an alias is unknown. */
  rebirth: boolean;
  /** Sparkplug: send the values of metrics flagged `is_transient` too (held back by default). */
  sendTransient: boolean;
}

const SPARKPLUG_NAMES = ['group', 'edge_node', 'device', 'name'];

/** Parses a subscription, collecting every problem instead of stopping at the first. */
export function compileSubscription(sub: MqttSubscriptionConfig, index: number): { subscription?: ResolvedSubscription; issues: SectionIssue[] } {
  const issues: SectionIssue[] = [];
  const at = (...rest: (string | number)[]): (string | number)[] => ['subscriptions', index, ...rest];
  const format: PayloadFormat = sub.format ?? MQTT_DEFAULTS.format;
  const parsedTopic = parseTopicFilter(sub.topic);
  if (!parsedTopic.ok) issues.push({ path: at('topic'), message: parsedTopic.message });
  const topic = parsedTopic.ok ? parsedTopic.filter : undefined;
  const levels = topic ? fixedLevelCount(topic) : undefined;
  const hasFields = sub.fields !== undefined && Object.keys(sub.fields).length > 0;

  const onlyFor = (key: keyof MqttSubscriptionConfig, formats: PayloadFormat[]): void => {
    if (sub[key] !== undefined && !formats.includes(format)) issues.push({ path: at(key), message: `${key} applies to format ${formats.join(' or ')}, not ${format}` });
  };
  onlyFor('value', ['json']);
  if (sub.type === 'boolean' && (format === 'text' || format === 'number')) {
    // A payload that is the bare word (Shelly Gen1's relay/0, Tasmota's stat/<topic>/POWER) has a format of its own.
    issues.push({ path: at('type'), message: `type applies to format json; a payload that is the bare word (on/off, true/false, 1/0) is format: boolean: write that instead of format: ${format} and type` });
  } else onlyFor('type', ['json']);
  onlyFor('timestamp', ['json']);
  onlyFor('fields', ['json']);
  onlyFor('optional', ['json']);
  onlyFor('state_metric', ['sparkplug']);
  onlyFor('rebirth', ['sparkplug']);
  onlyFor('send_transient', ['sparkplug']);
  // At subscription level in json, the words are for every boolean it reads: its type, or a field's.
  const readsBoolean = sub.type === 'boolean' || Object.values(sub.fields ?? {}).some((f) => typeof f !== 'string' && f.type === 'boolean');
  if (namesSwitchWords(sub) && format !== 'boolean' && !(format === 'json' && readsBoolean)) {
    const key = sub.payload_on === undefined ? 'payload_off' : 'payload_on';
    issues.push({ path: at(key), message: format === 'json' ? `${key} names the words of a boolean, and this subscription reads none: add type: boolean (or type: boolean to the fields it is for)` : `${key} applies to format boolean (or json with type: boolean), not ${format}` });
  }
  /** The words of a subscription or field that names them (a field's own replace the subscription's). */
  const wordsOf = (keys: SwitchWordKeys, path: (string | number)[]): SwitchWords | undefined => {
    if (!namesSwitchWords(keys)) return undefined;
    const compiled = compileSwitchWords(keys, (key, i) => (i === undefined ? [...path, key] : [...path, key, i]));
    issues.push(...compiled.issues);
    return compiled.words;
  };
  const subWords = wordsOf(sub, at());
  if (format === 'json' && sub.value !== undefined && hasFields) issues.push({ path: at('value'), message: 'use value (one point per message) or fields (several), not both' });

  const template = (text: string, path: (string | number)[], allowField: boolean): MqttTemplate | undefined => {
    const parsed = compileMqttTemplate(text);
    if (!parsed.ok) {
      issues.push({ path, message: parsed.message });
      return undefined;
    }
    for (const name of parsed.template.placeholders) {
      const level = /^topic\.(\d+)$/.exec(name);
      let problem: string | undefined;
      if (level && levels !== undefined && Number(level[1]) >= levels) problem = `{${name}}: topics matching "${topic?.filter}" have ${levels} levels (numbered from 0)`;
      else if (name.startsWith('json') && format !== 'json') problem = `{${name}} needs format json`;
      else if (name === 'field' && !allowField) problem = '{field} is only available with fields';
      else if (SPARKPLUG_NAMES.includes(name) && format !== 'sparkplug') problem = `{${name}} is only available with format sparkplug`;
      if (problem) issues.push({ path, message: problem });
    }
    return parsed.template;
  };
  const jsonPath = (text: string, path: (string | number)[]): JsonPath | undefined => {
    const parsed = parseJsonPath(text);
    if (!parsed.ok) issues.push({ path, message: parsed.message });
    return parsed.ok ? parsed.path : undefined;
  };
  const tagsOf = (tags: Record<string, string> | undefined, path: (string | number)[], allowField: boolean): ResolvedTags =>
    Object.entries(tags ?? {}).flatMap(([key, value]) => {
      const t = template(value, [...path, key], allowField);
      return t ? [[key, t] as const] : [];
    });

  const defaultMetric = format === 'sparkplug' ? MQTT_DEFAULTS.sparkplugMetric : undefined;
  const metricText = sub.metric ?? defaultMetric;
  const everyFieldNamed = hasFields && Object.values(sub.fields ?? {}).every((f) => typeof f !== 'string' && f.metric !== undefined);
  if (metricText === undefined && !everyFieldNamed) {
    issues.push({ path: at('metric'), message: hasFields ? 'metric is required (a template using {field}), unless every field names its own metric' : `metric is required for format ${format}` });
  }
  const metric = metricText === undefined ? undefined : template(metricText, at('metric'), hasFields);
  const tags = tagsOf(sub.tags, at('tags'), false);
  const values: ResolvedValue[] = [];
  const valueType: ValueType = sub.type ?? MQTT_DEFAULTS.valueType;
  const optional = sub.optional ?? false;
  if (format === 'json' && !hasFields) {
    const path = jsonPath(sub.value ?? '$', at('value'));
    if (path && metric) values.push({ field: undefined, path, type: valueType, optional, ...(subWords && valueType === 'boolean' ? { words: subWords } : {}), naming: { metric, tags } });
  }
  for (const [name, entry] of Object.entries(format === 'json' ? (sub.fields ?? {}) : {})) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) issues.push({ path: at('fields', name), message: `field name "${name}": use letters, digits, ".", "_" and "-" (it becomes part of metric names)` });
    const spec = typeof entry === 'string' ? { value: entry } : entry;
    const path = jsonPath(spec.value, at('fields', name, ...(typeof entry === 'string' ? [] : ['value'])));
    const ownMetric = spec.metric === undefined ? metric : template(spec.metric, at('fields', name, 'metric'), true);
    const fieldTags = tagsOf(spec.tags, at('fields', name, 'tags'), true);
    const type = spec.type ?? valueType;
    const keys: SwitchWordKeys = typeof entry === 'string' ? {} : entry;
    const own = wordsOf(keys, at('fields', name));
    if (own && type !== 'boolean') {
      const key = keys.payload_on === undefined ? 'payload_off' : 'payload_on';
      issues.push({ path: at('fields', name, key), message: `${key} names the words of a boolean, and this field is read as ${type}: add type: boolean` });
    }
    const words = type === 'boolean' ? (own ?? subWords) : undefined;
    if (path && ownMetric) values.push({ field: name, path, type, optional: spec.optional ?? optional, ...(words ? { words } : {}), naming: { metric: ownMetric, tags: [...tags, ...fieldTags] } });
  }
  let timestamp: ResolvedSubscription['timestamp'];
  if (sub.timestamp !== undefined) {
    const spec = typeof sub.timestamp === 'string' ? { path: sub.timestamp } : sub.timestamp;
    const path = jsonPath(spec.path, at('timestamp', ...(typeof sub.timestamp === 'string' ? [] : ['path'])));
    // A zone says the time is a date: the unit it implies.
    const unit = spec.unit ?? (spec.time_zone === undefined ? MQTT_DEFAULTS.timestampUnit : 'iso8601');
    if (spec.time_zone !== undefined && unit !== 'iso8601') {
      issues.push({ path: at('timestamp', 'time_zone'), message: `time_zone applies to unit iso8601 (dates written without a zone); a number of ${unit} since the epoch is UTC already: remove time_zone` });
    }
    if (path) timestamp = { path, unit, timeZone: spec.time_zone };
  }
  const stateMetric = format === 'sparkplug' ? template(sub.state_metric ?? MQTT_DEFAULTS.sparkplugStateMetric, at('state_metric'), false) : undefined;
  if (issues.length > 0 || !topic) return { issues };
  return {
    issues,
    subscription: {
      index,
      name: sub.name ?? sub.topic,
      topic,
      qos: sub.qos ?? MQTT_DEFAULTS.qos,
      format,
      metric,
      ...(format === 'boolean' && subWords ? { words: subWords } : {}),
      values,
      timestamp,
      tags,
      stateMetric,
      rebirth: sub.rebirth ?? false,
      sendTransient: sub.send_transient ?? false,
    },
  };
}

/** Resolves every subscription of a validated section. Throws on an invalid one (validate first). */
export function resolveSubscriptions(config: MqttConfig): ResolvedSubscription[] {
  return config.subscriptions.map((sub, index) => {
    const { subscription, issues } = compileSubscription(sub, index);
    if (!subscription) throw new Error(`subscriptions[${index}] is invalid: ${issues.map((i) => i.message).join('; ')}`);
    return subscription;
  });
}
