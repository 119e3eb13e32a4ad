import { describeDecodeFixtures } from '@fieldbridge/core/testing';
import { get as sparkplugB } from 'sparkplug-payload';
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { beforeAll } from 'vitest';
import { mqttBridge } from '../src/bridge.js';
import type { MqttConfig } from '../src/config.js';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { loadSparkplugCodec, type SparkplugCodec } from '../src/sparkplug-codec.js';
import { SparkplugState } from '../src/sparkplug-state.js';
import { topicLevels, topicMatches } from '../src/topic.js';
import { tahuPayload } from './helpers/tahu.js';

/** The receipt time every fixture message gets, so expected timestamps are fixed. */
const RECEIVED_AT_MS = 1_800_000_000_000;

/**
 * A fixture message: the payload as text, as JSON, as base64 bytes, as a Sparkplug payload
 * encoded with Eclipse Tahu's library (`sparkplug`), or as raw fields of the Sparkplug B
 * protobuf schema (`sparkplugProto`, for what Tahu's encoder cannot produce: DATA metrics
 * without a datatype, as real edge nodes send them).
 */
interface FixtureMessage {
  topic: string;
  text?: string;
  json?: unknown;
  base64?: string;
  sparkplug?: UPayload;
  sparkplugProto?: Record<string, unknown>;
}

function payloadOf(message: FixtureMessage): Uint8Array {
  if (message.text !== undefined) return Buffer.from(message.text);
  if (message.json !== undefined) return Buffer.from(JSON.stringify(message.json));
  if (message.base64 !== undefined) return Buffer.from(message.base64, 'base64');
  if (message.sparkplug !== undefined) return sparkplugB('spBv1.0')!.encodePayload(message.sparkplug);
  if (message.sparkplugProto !== undefined) return tahuPayload(message.sparkplugProto);
  throw new Error(`message on ${message.topic} has no payload`);
}

let codec: SparkplugCodec;
beforeAll(async () => {
  codec = await loadSparkplugCodec();
});

/** Decodes a fixture's messages in order, with one Sparkplug state across them, as the source does. */
function decodeFixture(section: unknown, input: Buffer): unknown[] {
  const subs = resolveSubscriptions(section as MqttConfig);
  const messages = JSON.parse(input.toString('utf8')) as FixtureMessage[];
  const context = { codec, state: new SparkplugState() };
  return messages.map((message) => {
    const sub = subs.find((s) => topicMatches(s.topic, topicLevels(message.topic)));
    if (!sub) return { topic: message.topic, points: [], problems: ['no_rule'] };
    const result = decodeMessage(sub, { topic: message.topic, payload: payloadOf(message), receivedAtMs: RECEIVED_AT_MS }, context);
    return { topic: message.topic, points: result.points, problems: result.problems.map((p) => `${p.kind}: ${p.message}`) };
  });
}

describeDecodeFixtures({
  dir: new URL('./fixtures/decode/', import.meta.url),
  definition: mqttBridge,
  input: 'messages.json',
  decode: decodeFixture,
  required: ['json-paths', 'json-fields', 'json-iso8601', 'json-hostile', 'number-text', 'sparkplug-birth-data', 'sparkplug-death', 'sparkplug-errors', 'sparkplug-int-ranges', 'json-switch-states', 'json-optional', 'json-time-zone', 'bare-switch-states', 'switch-words', 'json-large-integers'],
});
