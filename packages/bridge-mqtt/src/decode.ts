import type { DecodeProblem as KitDecodeProblem, DecodeResult as KitDecodeResult, PointValue } from '@fieldbridge/core/bridge';
import { fillName, makePoint, readsPayload, type Named } from './_points.js';
import { brief, payloadNotANumberHint, readValue, switchState, utf8Text } from './_values.js';
import { decodeJson } from './decode-json.js';
import { decodeSparkplug, parseSparkplugTopic, type SparkplugContext, type SparkplugTopic } from './decode-sparkplug.js';
import type { ResolvedSubscription } from './resolve.js';
import { describeSwitchWords, type SwitchWords } from './switch-words.js';
import { topicLevels } from './topic.js';

/** Every decode problem kind: the `kind` label of `fieldbridge_source_errors_total`, documented in the README. */
export const DECODE_ERROR_KINDS = [
  'no_rule', // the topic matched no subscription's filter
  'too_large', // a message over max_packet_size: acknowledged without being read
  'invalid_json', // not valid JSON, or nested deeper than MAX_JSON_DEPTH
  'invalid_utf8', // format number, boolean or text: not valid UTF-8
  'not_a_number', // a number was expected (format number, type number)
  'wrong_type', // type boolean/string/json, or format boolean: the value does not fit
  'missing_value', // the JSON path names nothing in this payload, or the value is null
  'bad_timestamp', // the mapped timestamp is missing, unreadable or implausible: receipt time used
  'bad_template', // the metric name or a tag could not be filled from this message
  'invalid_sparkplug', // not a Sparkplug B topic or payload
  'unknown_alias', // a metric alias no birth certificate seen defines
  'unsupported_type', // a Sparkplug value type not sent (Bytes, File, ...), or Templates nested too deep
  'too_many_metrics', // a birth larger than the Sparkplug tables' bounds: the rest read as unknown aliases
  'out_of_range', // a Sparkplug integer outside its datatype's range (a UInt8 of 300): not sent
  'no_birth', // Sparkplug DATA after the node's (or device's) death, before its next birth: not read
  'seq_gap', // a Sparkplug message whose seq does not follow the edge node's last: messages were lost or reordered
] as const;

/** A kind of decode problem. */
export type DecodeErrorKind = (typeof DECODE_ERROR_KINDS)[number];

/** One problem found while decoding a message. Message-derived text in it is cut short. */
export interface DecodeProblem extends KitDecodeProblem {
  kind: DecodeErrorKind;
  /**
   * Set for a problem the mapping is to fix, not the device: the source logs it once per
   * subscription (under this name), not once per topic. `time_zone`: a `bad_timestamp` of an
   * ISO 8601 date without a zone, the subscription naming no `time_zone`. `boolean`: format
   * boolean met a word it does not read (`toggle`), which every device under the filter sends alike.
   */
  perSubscription?: 'time_zone' | 'boolean';
}

/** One received message. */
export interface MqttMessage {
  /** The topic it was published to (never with a `$share` prefix). */
  topic: string;
  payload: Uint8Array;
  /** When it arrived, in ms since the epoch (the sink's clock): the timestamp when the payload has none. */
  receivedAtMs: number;
}

/** The points a message gave, and what went wrong with the rest (the kit's decode contract). */
export interface DecodeResult extends KitDecodeResult<DecodeProblem> {
  /** Sparkplug: the edge node whose birth certificate is missing (an alias was unknown). */
  rebirth?: { group: string; edgeNode: string };
  /**
   * Sparkplug: values of metrics flagged `is_transient` held back (not points, not problems), and
   * the first one's name; absent when none were, or when the subscription sends them (`send_transient`).
   */
  transient?: { count: number; first: string };
}

/**
 * What every message on one topic shares, worked out once per topic (the source keeps a bounded
 * cache of them): the levels, and each value's metric name and tags when they do not read the
 * payload (`undefined` entries are filled per message).
 */
export interface TopicRoute {
  sub: ResolvedSubscription;
  levels: readonly string[];
  /** Per value of `sub.values` (format json) or the one value (number, boolean, text). */
  names: readonly (Named | undefined)[];
  /** format sparkplug: the topic's parts; undefined when it is not a Sparkplug topic. */
  sparkplug: SparkplugTopic | undefined;
}

/** Works out the {@link TopicRoute} of `topic` for the subscription that matched it. Pure. */
export function routeTopic(sub: ResolvedSubscription, topic: string, levels: readonly string[] = topicLevels(topic)): TopicRoute {
  const once = (naming: Parameters<typeof fillName>[0], field?: string): Named | undefined =>
    readsPayload(naming) ? undefined : fillName(naming, field === undefined ? { levels } : { levels, field });
  let names: (Named | undefined)[] = [];
  if (sub.format === 'json') names = sub.values.map((v) => once(v.naming, v.field));
  else if (sub.format !== 'sparkplug') names = [once({ metric: sub.metric!, tags: sub.tags })];
  return { sub, levels, names, sparkplug: sub.format === 'sparkplug' ? parseSparkplugTopic(levels) : undefined };
}

/**
 * Decodes one message with its subscription's rule: pure, no I/O. A payload that does not fit
 * gives problems, never an exception; the values that do fit still give points. Sparkplug
 * payloads need `sparkplug` (the protobuf codec and the alias tables kept across messages).
 * `route` is the topic's {@link routeTopic}, worked out here when not given.
 */
export function decodeMessage(sub: ResolvedSubscription, message: MqttMessage, sparkplug?: SparkplugContext, route: TopicRoute = routeTopic(sub, message.topic)): DecodeResult {
  // Said as what it is, rather than as a parse error; an empty text is a text, and Sparkplug says its own.
  const emptyKind = message.payload.length === 0 ? EMPTY_KIND[sub.format] : undefined;
  if (emptyKind !== undefined) return { points: [], problems: [{ kind: emptyKind, message: EMPTY_PAYLOAD }] };
  switch (sub.format) {
    case 'sparkplug':
      if (!sparkplug) return { points: [], problems: [{ kind: 'invalid_sparkplug', message: 'the Sparkplug codec is not loaded (decodeMessage needs a SparkplugContext)' }] };
      return decodeSparkplug(route, message, sparkplug);
    case 'json':
      return decodeJson(route, message);
    default:
      return decodeScalar(route, message);
  }
}

/** What an empty payload is: usually a publisher deleting the topic's retained message (Zigbee2MQTT for a removed device). */
const EMPTY_PAYLOAD = 'the payload is empty, so it holds no value (an empty message is how a publisher deletes a topic\'s retained message, as Zigbee2MQTT does for a removed or renamed device)';

/** The problem kind of an empty payload, by format: the one any other unreadable payload of the format has. */
const EMPTY_KIND: Partial<Record<ResolvedSubscription['format'], DecodeErrorKind>> = { json: 'invalid_json', number: 'not_a_number', boolean: 'wrong_type' };

/** Formats number, boolean and text: the whole payload is the value. */
function decodeScalar(route: TopicRoute, message: MqttMessage): DecodeResult {
  const { sub } = route;
  const body = utf8Text(message.payload);
  if (body === undefined) return { points: [], problems: [{ kind: 'invalid_utf8', message: 'the payload is not valid UTF-8 text' }] };
  let value: PointValue = body;
  if (sub.format === 'number') {
    const read = readValue(body, 'number');
    // The whole payload: what to write differs from a JSON value's (format, not type).
    if (!read.ok) return { points: [], problems: [{ kind: read.kind, message: `${brief(body)} is not a number${payloadNotANumberHint(body)}` }] };
    value = read.value;
  } else if (sub.format === 'boolean') {
    const state = switchState(body, sub.words);
    if (state === undefined) return { points: [], problems: [{ kind: 'wrong_type', perSubscription: 'boolean', message: notASwitchState(body, sub.words) }] };
    value = state;
  }
  const named = route.names[0] ?? fillName({ metric: sub.metric!, tags: sub.tags }, { levels: route.levels });
  if (!named.ok) return { points: [], problems: [{ kind: 'bad_template', message: named.message }] };
  return { points: [makePoint(named.metric, value, message.receivedAtMs, named.tags)], problems: [] };
}

/** Why format boolean did not read a payload, naming the words it reads. */
function notASwitchState(body: string, words: SwitchWords | undefined): string {
  const head = `the payload ${brief(body)} is not a switch state`;
  if (words === undefined) return `${head}: format boolean reads on/off, true/false and 1/0 in any case (name the device's words with payload_on and payload_off, or map the topic with format: text)`;
  return `${head}: this subscription reads ${describeSwitchWords(words)}, and on/off, true/false and 1/0, in any case`;
}
