import { excerpt, jsonNestsDeeperThan, oneLine } from '@fieldbridge/core/bridge';
import { booleanWord, numeric, toEpochMs } from './_values.js';
import { hearFieldWord, hearPayloadWord, knownPair, type WordsHeard } from './heard-words.js';
import { formatJsonPath, type JsonPathStep } from './json-path.js';
import { parsePayloadJson } from './json-payload.js';
import type { TimestampUnit } from './resolve.js';
import type { SparkplugCodec } from './sparkplug-codec.js';
import { parseTopicFilter, topicLevels, topicMatches, type TopicFilter } from './topic.js';

/** What a topic's payloads look like. */
export type HeardFormat = 'json' | 'number' | 'boolean' | 'text' | 'binary' | 'sparkplug' | 'empty';

/** A value inside a JSON payload: its path and what it held last. */
export interface HeardField {
  path: string;
  /**
   * A name for it as a `fields:` entry: its last key (`value` for `$.reading.value`), with the
   * array indexes on the way from the key before the last index (`arr_0` for `$.arr[0]`,
   * `sensors_2_t` for `$.sensors[2].t`, `item_0` for `$[0]`).
   */
  name: string;
  kind: 'number' | 'boolean' | 'string';
  sample: string;
  /** Why no point can be made of it (a number JSON holds but a point cannot: `1e400`), if so. */
  unfit?: string;
  /**
   * A string that is an ISO 8601 date and time (read whole, not from the cut `sample`): `zoned`
   * with `Z` or an offset, `zoneless` without one (a device's local time, as Tasmota's `Time`).
   */
  iso8601?: 'zoned' | 'zoneless';
  /** A string that is a decimal number (`"21.5"`, as gateways that quote every value write it), which type number reads. */
  numberText?: true;
  /** A number under a key that names something rather than measures it (`"id": 7`, `"serial": 100234`): no value. */
  identifier?: true;
  /**
   * A number (or a {@link numberText}) that reads as a plausible time in this unit (epoch seconds,
   * milliseconds, microseconds or nanoseconds: the ranges do not overlap), if any.
   */
  epochUnit?: EpochUnit;
  /**
   * The distinct words (letters, `_` and `-`, up to 24 characters) this path held in every message
   * heard on the topic that had it, as first written, at most 8 (`["off", "toggle"]` for a plug's
   * `power_on_behavior`); absent once it held anything else. What tells a switch state from a setting.
   */
  words?: string[];
}

/** The units a number can be a time in. */
export type EpochUnit = Exclude<TimestampUnit, 'iso8601'>;
const EPOCH_UNITS: readonly EpochUnit[] = ['s', 'ms', 'us', 'ns'];

/** One topic heard during a survey. */
export interface HeardTopic {
  topic: string;
  messages: number;
  /** Some message on it came retained (the broker's last value, not a live one). */
  retained: boolean;
  /** The last payload's format. */
  format: HeardFormat;
  /** format json: its numbers, booleans and strings (at most {@link MAX_FIELDS}), in document order. */
  fields: HeardField[];
  /** The last payload, short and on one line. */
  sample: string;
  /** format sparkplug: metric names its payloads carried (at most {@link MAX_FIELDS}). */
  sparkplugMetrics: string[];
  /** format sparkplug: those of them flagged `is_transient`, which the bridge does not send unless `send_transient: true`. */
  sparkplugTransient: string[];
  /** format number: why no point can be made of the last payload (`1e400` reads as Infinity), if so. */
  unfit?: string;
  /** The mapping's subscription that takes it already, if any. */
  mappedBy?: string;
  /**
   * Every payload heard was one of exactly these two words, neither a built-in switch word
   * (`open` and `close`, as a door sensor sends): likely a switch state, in order heard. Or every
   * payload was a word of a known pair (`online`, of `online` / `offline`): that pair, on first.
   */
  switchWords?: [string, string];
}

/** What a topic survey heard. */
export interface TopicSurveyResult {
  /** Sorted by topic. */
  topics: HeardTopic[];
  messages: number;
  /** Topics heard past the survey's bound, counted but not listed. */
  notListed: number;
}

/** Gathers what a subscription hears, topic by topic. */
export interface TopicSurvey {
  message(topic: string, payload: Uint8Array, retained: boolean): void;
  result(): TopicSurveyResult;
}

/** Options of {@link createTopicSurvey}. */
export interface TopicSurveyOptions {
  /** The mapping's subscription filters, by name: a topic they match is shown as mapped. */
  subscriptions?: readonly { name: string; topic: string }[];
  /** Decodes `spBv1.0/...` payloads; without it they are listed as binary. */
  sparkplug?: SparkplugCodec;
  /** Topics listed. Default 2000. */
  maxTopics?: number;
}

/** Fields (or Sparkplug metric names) kept per topic. */
export const MAX_FIELDS = 16;
/** Payloads larger than this are not parsed, only counted. */
const MAX_PARSED_BYTES = 64 * 1024;
/** Deepest JSON parsed (a hostile payload nests arrays until the parser's stack ends). */
const MAX_DEPTH = 32;
const NUMBER = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * A survey of the messages on the topics a subscription hears: per topic the message count,
 * whether retained messages came, and what the last payload looks like (JSON with its values'
 * paths, a number, a switch state word, text, Sparkplug B with its metric names, binary), and which of the mapping's
 * subscriptions takes it. Bounded: payloads past 64 KiB are not parsed, topics past `maxTopics`
 * counted only. Never throws on a payload.
 */
export function createTopicSurvey(options: TopicSurveyOptions = {}): TopicSurvey {
  const maxTopics = options.maxTopics ?? 2000;
  const filters = (options.subscriptions ?? []).flatMap((s) => {
    const parsed = parseTopicFilter(s.topic);
    return parsed.ok ? [{ name: s.name, filter: parsed.filter }] : [];
  });
  const heard = new Map<string, HeardTopic>();
  const words = new Map<string, WordsHeard>();
  const fieldWords = new Map<string, Map<string, WordsHeard>>();
  const others = new Set<string>();
  let messages = 0;
  return {
    message(topic, payload, retained) {
      messages += 1;
      let entry = heard.get(topic);
      if (entry === undefined) {
        if (heard.size >= maxTopics) {
          if (others.size < 10 * maxTopics) others.add(topic);
          return;
        }
        entry = { topic, messages: 0, retained: false, format: 'empty', fields: [], sample: '', sparkplugMetrics: [], sparkplugTransient: [] };
        const levels = topicLevels(topic);
        const mapped = filters.find((f) => topicMatches(f.filter as TopicFilter, levels));
        if (mapped) entry.mappedBy = mapped.name;
        heard.set(topic, entry);
      }
      entry.messages += 1;
      if (retained) entry.retained = true;
      describePayload(entry, payload, options.sparkplug);
      hearWord(words, topic, entry.format === 'text' ? entry.sample : undefined);
      if (entry.format === 'json') hearFieldWords(fieldWords, entry);
    },
    result() {
      for (const [topic, seen] of words) {
        const entry = heard.get(topic);
        const pair = seen === 'other' ? undefined : knownPair(seen);
        if (entry && pair) entry.switchWords = [pair[0], pair[1]];
        else if (entry && seen !== 'other' && seen.length === 2) entry.switchWords = [seen[0]!, seen[1]!];
        else delete entry?.switchWords;
      }
      const topics = [...heard.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
      return { topics, messages, notListed: others.size };
    },
  };
}

/** JSON paths whose words are remembered per topic (a payload's keys may vary from message to message). */
const MAX_WORD_PATHS = 64;

/** Notes the word a text payload was (`text` its sample; undefined for any other format). */
function hearWord(words: Map<string, WordsHeard>, topic: string, text: string | undefined): void {
  words.set(topic, hearPayloadWord(words.get(topic) ?? [], text));
}

/** Notes the words each JSON value of `entry` held, and gives each field the words its path held in every message so far. */
function hearFieldWords(fieldWords: Map<string, Map<string, WordsHeard>>, entry: HeardTopic): void {
  let paths = fieldWords.get(entry.topic);
  if (paths === undefined) fieldWords.set(entry.topic, (paths = new Map()));
  for (const field of entry.fields) {
    if (!paths.has(field.path) && paths.size >= MAX_WORD_PATHS) continue;
    const seen = hearFieldWord(paths.get(field.path) ?? [], field.kind, field.sample);
    paths.set(field.path, seen);
    if (seen !== 'other') field.words = [...seen];
  }
}

function describePayload(entry: HeardTopic, payload: Uint8Array, sparkplug: SparkplugCodec | undefined): void {
  entry.fields = [];
  delete entry.unfit;
  if (payload.length === 0) {
    entry.format = 'empty';
    entry.sample = '';
    return;
  }
  if (entry.topic.startsWith('spBv1.0/') && sparkplug && payload.length <= MAX_PARSED_BYTES) {
    try {
      const metrics = sparkplug.decode(payload).metrics ?? [];
      const names = metrics.map((m) => m.name).filter((n): n is string => typeof n === 'string' && n !== '');
      entry.format = 'sparkplug';
      for (const name of names) if (entry.sparkplugMetrics.length < MAX_FIELDS && !entry.sparkplugMetrics.includes(name)) entry.sparkplugMetrics.push(name);
      for (const m of metrics) if (m.isTransient === true && m.name && entry.sparkplugMetrics.includes(m.name) && !entry.sparkplugTransient.includes(m.name)) entry.sparkplugTransient.push(m.name);
      entry.sample = `${metrics.length} metrics${names.length < metrics.length ? ' by alias (their names come in the births)' : ''}`;
      return;
    } catch {
      // Not a Sparkplug payload after all: described as bytes below.
    }
  }
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  entry.sample = oneLine(excerpt(text, 60));
  if (text.includes('\uFFFD') || /[\u0000-\u0008\u000e-\u001f]/.test(text)) {
    entry.format = 'binary';
    entry.sample = `${payload.length} bytes`;
    return;
  }
  // A bare switch state (Shelly Gen1's relay/0 `on`, Tasmota's stat/<topic>/POWER `ON`); `1`/`0` stay numbers.
  if (text.length <= 16 && booleanWord(text) !== undefined) {
    entry.format = 'boolean';
    return;
  }
  if (NUMBER.test(text)) {
    entry.format = 'number';
    // A number too large for a double (1e400) reads as Infinity, which no point carries: not suggested.
    if (!Number.isFinite(Number(text))) entry.unfit = `too large for a number: it reads as ${Number(text)}`;
    return;
  }
  const first = text.trimStart()[0];
  if ((first === '{' || first === '[') && payload.length <= MAX_PARSED_BYTES && !jsonNestsDeeperThan(payload, MAX_DEPTH)) {
    try {
      const doc: unknown = parsePayloadJson(text);
      entry.format = 'json';
      collectFields(doc, [], entry.fields);
      return;
    } catch {
      // Not JSON: text.
    }
  }
  entry.format = 'text';
}

/** Numbers, booleans and strings inside a JSON document, depth first, at most MAX_FIELDS. */
function collectFields(value: unknown, steps: JsonPathStep[], out: HeardField[]): void {
  if (out.length >= MAX_FIELDS) return;
  if (Array.isArray(value)) {
    value.slice(0, MAX_FIELDS).forEach((item, index) => collectFields(item, [...steps, { index }], out));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collectFields(item, [...steps, { key }], out);
    return;
  }
  // An integer beyond 2^53 is a bigint (parsePayloadJson): a number, its sample every digit.
  const number = typeof value === 'number' || typeof value === 'bigint';
  const kind = number ? 'number' : typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : undefined;
  if (kind === undefined || steps.length === 0) return;
  const field: HeardField = { path: formatJsonPath(steps), name: fieldName(steps), kind, sample: oneLine(excerpt(String(value), 24)) };
  if (typeof value === 'number' && !Number.isFinite(value)) field.unfit = `too large for a number: it reads as ${value}`;
  if (number && identifierKey(steps)) field.identifier = true;
  if (typeof value === 'string') {
    const iso = isoKind(value);
    if (iso !== undefined) field.iso8601 = iso;
    if (numeric(value) !== undefined && !identifierText(steps, value)) field.numberText = true;
  }
  if (number || field.numberText) {
    const unit = EPOCH_UNITS.find((u) => toEpochMs(value, u).ok);
    if (unit !== undefined) field.epochUnit = unit;
  }
  out.push(field);
}

/**
 * Keys whose quoted digits name something rather than measure it (compared in lower case without
 * `_` and `-`): an id, a serial number, an address, a SIM's or modem's number, a LoRaWAN EUI.
 */
const IDENTIFIER_KEYS = new Set(['id', 'uuid', 'guid', 'serial', 'serialnumber', 'serialno', 'sn', 'mac', 'macaddress', 'imei', 'imsi', 'iccid', 'msisdn', 'ieee', 'ieeeaddress', 'address', 'addr', 'eui', 'deveui', 'appeui', 'joineui']);

/**
 * True for a quoted number that is an identifier, which a scan proposes as no value: under a key
 * named as one (see {@link identifierKey}), or written with a leading zero (`"0042"`), which no
 * measurement is.
 */
function identifierText(steps: readonly JsonPathStep[], value: string): boolean {
  return /^[+-]?0\d/.test(value.trim()) || identifierKey(steps);
}

/** True when the last key on the way is named as an identifier: `id`, `serial`, `device_id`, `sensorId` (see {@link IDENTIFIER_KEYS}). */
function identifierKey(steps: readonly JsonPathStep[]): boolean {
  const key = [...steps].reverse().find((s): s is { key: string } => 'key' in s)?.key;
  if (key === undefined) return false;
  return IDENTIFIER_KEYS.has(key.toLowerCase().replace(/[_-]/g, '')) || /(?:[_-](?:id|ID|Id)|[a-z0-9](?:Id|ID))$/.test(key);
}

/** See {@link HeardField.iso8601}: a zone-less date counts when it reads in some zone (UTC here). */
function isoKind(value: string): HeardField['iso8601'] {
  const zoned = toEpochMs(value, 'iso8601');
  if (zoned.ok) return 'zoned';
  return zoned.zoneless && toEpochMs(value, 'iso8601', 'UTC').ok ? 'zoneless' : undefined;
}

/** See {@link HeardField.name}. */
function fieldName(steps: readonly JsonPathStep[]): string {
  const lastIndex = steps.findLastIndex((s) => 'index' in s);
  if (lastIndex < 0) return (steps[steps.length - 1] as { key: string }).key;
  const from = steps.slice(0, lastIndex).findLastIndex((s) => 'key' in s);
  const parts = steps.slice(Math.max(from, 0)).map((s) => ('key' in s ? s.key : String(s.index)));
  return (from < 0 ? ['item', ...parts] : parts).join('_');
}
