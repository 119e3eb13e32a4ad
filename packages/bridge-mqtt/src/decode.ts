import type { Point, PointValue, Tags } from '@fieldbridge/core';
import { makePoint, renderTags } from './_points.js';
import { readValue, toEpochMs } from './_values.js';
import { evaluateJsonPath } from './json-path.js';
import type { ResolvedSubscription } from './resolve.js';
import { decodeSparkplug, type SparkplugContext } from './sparkplug.js';
import { renderMetricName, type TemplateVars } from './template.js';
import { topicLevels } from './topic.js';

/** Kinds of decode problem, the `kind` label of `fieldbridge_mqtt_decode_errors_total`. */
export type DecodeErrorKind =
  /** The topic matched no subscription's filter. */
  | 'no_rule'
  /** format json: the payload is not valid JSON. */
  | 'invalid_json'
  /** format text: the payload is not valid UTF-8. */
  | 'invalid_utf8'
  /** A number was expected (format number, or type number) and the value is not one. */
  | 'not_a_number'
  /** type boolean/string/json: the value does not fit. */
  | 'wrong_type'
  /** The JSON path names nothing in this payload, or the value is null. */
  | 'missing_value'
  /** The mapped timestamp is missing, unreadable or implausible; receipt time was used. */
  | 'bad_timestamp'
  /** The metric name or a tag could not be filled from this message. */
  | 'bad_template'
  /** format sparkplug: not a Sparkplug B topic or payload. */
  | 'invalid_sparkplug'
  /** format sparkplug: a metric alias with no birth certificate seen defining it. */
  | 'unknown_alias'
  /** format sparkplug: a value type the bridge does not send (Bytes, File, unknown). */
  | 'unsupported_type';

/** Every decode problem kind. */
export const DECODE_ERROR_KINDS: readonly DecodeErrorKind[] = [
  'no_rule',
  'invalid_json',
  'invalid_utf8',
  'not_a_number',
  'wrong_type',
  'missing_value',
  'bad_timestamp',
  'bad_template',
  'invalid_sparkplug',
  'unknown_alias',
  'unsupported_type',
];

/** One problem found while decoding a message. */
export interface DecodeProblem {
  kind: DecodeErrorKind;
  message: string;
}

/** One received message. */
export interface MqttMessage {
  /** The topic it was published to (never with a `$share` prefix). */
  topic: string;
  payload: Uint8Array;
  /** When it arrived, in ms since the epoch (the sink's clock): the timestamp when the payload has none. */
  receivedAtMs: number;
}

/** The points a message gave, and what went wrong with the rest. */
export interface DecodeResult {
  points: Point[];
  problems: DecodeProblem[];
  /** Sparkplug: the edge node whose birth certificate is missing (an alias was unknown). */
  rebirth?: { group: string; edgeNode: string };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes one message with its subscription's rule: pure, no I/O. A payload that does not fit
 * gives problems, never an exception; the values that do fit still give points. Sparkplug
 * payloads need `sparkplug` (the protobuf codec and the alias tables kept across messages).
 */
export function decodeMessage(sub: ResolvedSubscription, message: MqttMessage, sparkplug?: SparkplugContext): DecodeResult {
  const levels = topicLevels(message.topic);
  switch (sub.format) {
    case 'sparkplug':
      if (!sparkplug) throw new Error('decodeMessage: format sparkplug needs a SparkplugContext');
      return decodeSparkplug(sub, message, levels, sparkplug);
    case 'json':
      return decodeJson(sub, message, levels);
    default:
      return decodeScalar(sub, message, levels);
  }
}

function text(payload: Uint8Array): string | undefined {
  try {
    return utf8.decode(payload);
  } catch {
    // Not UTF-8: the caller reports it as its own kind of problem.
    return undefined;
  }
}

/** Formats number and text: the whole payload is the value. */
function decodeScalar(sub: ResolvedSubscription, message: MqttMessage, levels: string[]): DecodeResult {
  const body = text(message.payload);
  if (body === undefined) return { points: [], problems: [{ kind: 'invalid_utf8', message: 'the payload is not valid UTF-8 text' }] };
  let value: PointValue = body;
  if (sub.format === 'number') {
    const read = readValue(body, 'number');
    if (!read.ok) return { points: [], problems: [{ kind: read.kind, message: read.message }] };
    value = read.value;
  }
  const vars: TemplateVars = { levels };
  const metric = renderMetricName(sub.metric!, vars);
  const tags: Tags = {};
  const tagProblem = renderTags(sub.tags, vars, tags);
  if (!metric.ok || tagProblem) return { points: [], problems: [{ kind: 'bad_template', message: metric.ok ? tagProblem! : `metric "${sub.metric!.source}": ${metric.message}` }] };
  return { points: [makePoint(metric.text, value, message.receivedAtMs, tags)], problems: [] };
}

function decodeJson(sub: ResolvedSubscription, message: MqttMessage, levels: string[]): DecodeResult {
  const body = text(message.payload);
  if (body === undefined) return { points: [], problems: [{ kind: 'invalid_json', message: 'the payload is not UTF-8 text, so not JSON' }] };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { points: [], problems: [{ kind: 'invalid_json', message: `the payload is not valid JSON (${(err as Error).message})` }] };
  }
  const problems: DecodeProblem[] = [];
  let timestamp = message.receivedAtMs;
  if (sub.timestamp) {
    const found = evaluateJsonPath(sub.timestamp.path, json);
    const converted = found.found ? toEpochMs(found.value, sub.timestamp.unit) : { ok: false as const, message: `${found.missing} is missing` };
    if (converted.ok) timestamp = converted.ms;
    else problems.push({ kind: 'bad_timestamp', message: `timestamp ${sub.timestamp.path.source}: ${converted.message}; receipt time used` });
  }
  const points: Point[] = [];
  for (const value of sub.values) {
    const label = value.field === undefined ? value.path.source : `field ${value.field} (${value.path.source})`;
    const found = evaluateJsonPath(value.path, json);
    if (!found.found) {
      const where = found.missing === value.path.source ? 'not in this payload' : `${found.missing} is missing`;
      problems.push({ kind: 'missing_value', message: `${label}: ${where}` });
      continue;
    }
    const read = readValue(found.value, value.type);
    if (!read.ok) {
      problems.push({ kind: read.kind, message: `${label}: ${read.message}` });
      continue;
    }
    const vars: TemplateVars = { levels, json, ...(value.field === undefined ? {} : { field: value.field }) };
    const metric = renderMetricName(value.metric, vars);
    const tags: Tags = {};
    const tagProblem = renderTags(sub.tags, vars, tags) ?? renderTags(value.tags, vars, tags);
    if (!metric.ok || tagProblem) {
      const what = metric.ok ? tagProblem : `metric "${value.metric.source}": ${metric.message}`;
      problems.push({ kind: 'bad_template', message: value.field === undefined ? `${what}` : `field ${value.field}: ${what}` });
      continue;
    }
    points.push(makePoint(metric.text, read.value, timestamp, tags));
  }
  return { points, problems };
}
