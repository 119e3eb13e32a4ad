// Issue 10's fuzz suite for MQTT: random and adversarial payloads into decodeMessage for every
// format never throw, give bounded output, keep the Sparkplug state bounded, and the bridge
// still delivers afterwards. Seeded, so a failure reproduces.
import { trackCleanups } from '@fieldbridge/core/testing';
import { get as sparkplugB } from 'sparkplug-payload';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, DECODE_ERROR_KINDS, type DecodeResult } from '../src/decode.js';
import { resolveSubscriptions, type ResolvedSubscription } from '../src/resolve.js';
import { loadSparkplugCodec, type SparkplugCodec } from '../src/sparkplug-codec.js';
import { SparkplugState } from '../src/sparkplug-state.js';
import { topicLevels, topicMatches } from '../src/topic.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';
import { seededRandom } from '@fieldbridge/core/testing';

const track = trackCleanups();
const NOW = 1_800_000_000_000;

/** mulberry32 from the kit, so every run feeds the same inputs. */
const random = seededRandom;
const rand = random(0xf1e1d);
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));

const subs = resolveSubscriptions(
  section({
    url: 'mqtt://fuzz',
    subscriptions: [
      { topic: 'j/whole', metric: 'j.whole' },
      { topic: 'j/fields/+', metric: '{topic.2}.{field}', timestamp: { path: '$.ts', unit: 'iso8601' }, fields: { n: '$.n', s: { value: '$.s', type: 'string' }, b: { value: '$.b', type: 'boolean' }, j: { value: '$.j', type: 'json' } } },
      { topic: 'j/named/+', metric: 'j.{json.id}.{topic.2}', value: '$.v', timestamp: '$.t', tags: { k: '{json.k}' } },
      { topic: 'n/#', format: 'number', metric: 'n.{topic.1}' },
      { topic: 't/#', format: 'text', metric: 't.{topic.1}' },
      { topic: 'spBv1.0/#', format: 'sparkplug', metric: '{edge_node}.{device}.{name}' },
    ],
  }),
);

const adversarialTexts = [
  '1e400',
  '-1e400',
  '9'.repeat(400),
  '1e-400',
  '0x10',
  ' ',
  '',
  'null',
  `${'['.repeat(100_000)}1${']'.repeat(100_000)}`,
  `${'{"n":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
  `[${'[{"a":'.repeat(40)}1${'}]'.repeat(40)}]`,
  `"${'['.repeat(10_000)}`,
  `{"s": "${'x'.repeat(1024 * 1024)}", "n": 1, "id": "${'y'.repeat(300)}", "v": 2}`,
  '{"__proto__": {"polluted": true}, "n": {"constructor": 1}, "id": "__proto__", "v": 1, "k": "toString"}',
  '{"n": 1, "n": "two", "b": "TRUE", "j": [1, [2, [3]]], "ts": "2023-13-45T99:99:99Z", "t": -1e300}',
  '{"id": "\u0000\u001b[31m", "v": 1, "k": "\n\r"}',
  '\ufeff{"n": 1}',
  // Integers beyond 2^53 everywhere a value is read (the exact parser's path): none may reach a point as a bigint.
  '{"n": 123456789012345678901234567890, "s": -99999999999999999999, "b": 12345678901234567890, "j": {"x": [18446744073709551616, {"y": -9223372036854775809}]}, "ts": 17000000000000000000000, "id": 12345678901234567890, "v": 12345678901234567890, "t": 170000000000000000000, "k": 98765432109876543210}',
  '{"j": 12345678901234567890, "j": [1e400, 99999999999999999999], "n": 1}',
  `{"j": [${'12345678901234567890,'.repeat(5000)}1], "s": 1234567890123456789.5}`,
];
const adversarialBytes = [Uint8Array.of(0xff, 0xfe), Uint8Array.of(0xc0, 0x80), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0x22, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x22), Uint8Array.of(0x7b, 0x00, 0x7d)];

let codec: SparkplugCodec;
let state: SparkplugState;
beforeAll(async () => {
  codec = await loadSparkplugCodec();
  state = new SparkplugState({ maxNodes: 200, maxBytes: 1024 * 1024 });
});

function decode(topic: string, payload: Uint8Array): DecodeResult | undefined {
  const sub: ResolvedSubscription | undefined = subs.find((s) => topicMatches(s.topic, topicLevels(topic)));
  if (!sub) return undefined;
  const result = decodeMessage(sub, { topic, payload, receivedAtMs: NOW }, { codec, state });
  for (const problem of result.problems) {
    expect(DECODE_ERROR_KINDS).toContain(problem.kind);
    expect(problem.message.length).toBeLessThan(1000);
  }
  for (const point of result.points) {
    expect(point.metric.length).toBeLessThanOrEqual(256);
    // What the sink does with every point (sizing it) must not fail on anything decoding let through.
    expect(() => JSON.stringify(point)).not.toThrow();
  }
  return result;
}

const jsonTopics = ['j/whole', 'j/fields/a', 'j/named/b', 'n/x', 't/y'];
const sparkplugTopics = ['spBv1.0/g/NBIRTH/n1', 'spBv1.0/g/NDATA/n1', 'spBv1.0/g/DBIRTH/n1/d1', 'spBv1.0/g/DDATA/n1/d1', 'spBv1.0/g/NDEATH/n1', 'spBv1.0/g/DDEATH/n1/d1', 'spBv1.0/STATE/h', 'spBv1.0/g/NCMD/n1', 'spBv1.0/g/X/n1', 'spBv1.0//NDATA/', `spBv1.0/g/NDATA/${'n'.repeat(70_000)}`];

/** A birth with every kind of value, encoded by Eclipse Tahu's library. */
function tahuBirth(): Uint8Array {
  return sparkplugB('spBv1.0')!.encodePayload({
    timestamp: NOW,
    seq: 0,
    metrics: [
      { name: 'bdSeq', type: 'UInt64', value: 0 },
      { name: 'i', alias: 1, type: 'Int32', value: -5 },
      { name: 'f', alias: 2, type: 'Float', value: 1.5 },
      { name: 's', alias: 3, type: 'String', value: 'x' },
      { name: 'ds', alias: 4, type: 'DataSet', value: { numOfColumns: 1, columns: ['c'], types: ['Int32'], rows: [[1], [2]] } },
      { name: 'udt', alias: 5, type: 'Template', value: { templateRef: 'T', isDefinition: false, metrics: [{ name: 'm', type: 'Int32', value: 3 }] } },
    ],
  });
}

/** Template instances nested `depth` deep, built on the wire from the inside out (Sparkplug B field numbers). */
function nestedTemplates(depth: number): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const name = [0x0a, 0x01, 0x61]; // Metric.name = "a"
  const prefixes: number[][] = [];
  let length = name.length + 2; // the innermost metric: name and int_value (field 10) = 1
  for (let i = 0; i < depth; i++) {
    const template = [0x12, ...varint(length)]; // Template.metrics
    length += template.length;
    const metric = [...name, 0x92, 0x01, ...varint(length)]; // Metric.name, Metric.template_value (18)
    length += metric.length;
    prefixes.push(template, metric);
  }
  const payload = [0x12, ...varint(length)]; // Payload.metrics
  return Uint8Array.from([...payload, ...prefixes.reverse().flat(), ...name, 0x50, 0x01]);
}

describe('fuzz: decodeMessage never throws, whatever the payload', () => {
  it('random bytes on every format', () => {
    for (let i = 0; i < 3000; i++) {
      const topic = [...jsonTopics, ...sparkplugTopics][i % (jsonTopics.length + sparkplugTopics.length)]!;
      decode(topic, bytes(Math.floor(rand() ** 3 * 4096)));
    }
  });

  it('adversarial text: huge numbers, deep nesting, long strings, prototype keys, control characters, invalid UTF-8', () => {
    for (const topic of jsonTopics) {
      for (const text of adversarialTexts) decode(topic, Buffer.from(text));
      for (const raw of adversarialBytes) decode(topic, raw);
    }
  });

  it('broken Sparkplug protobufs: every truncation, random byte flips, nesting past any stack', () => {
    const birth = tahuBirth();
    expect(decode('spBv1.0/g/NBIRTH/n1', birth)?.points.length).toBeGreaterThan(0);
    for (let cut = 0; cut < birth.length; cut++) decode('spBv1.0/g/NBIRTH/n1', birth.subarray(0, cut));
    for (let i = 0; i < 2000; i++) {
      const flipped = Uint8Array.from(birth);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) flipped[Math.floor(rand() * flipped.length)] = Math.floor(rand() * 256);
      decode(sparkplugTopics[i % 6]!, flipped);
    }
    expect(decode('spBv1.0/g/NDATA/n1', nestedTemplates(20))?.problems.map((p) => p.kind)).toEqual(['unsupported_type']);
    expect(decode('spBv1.0/g/NDATA/n1', nestedTemplates(100_000))?.problems.map((p) => p.kind)).toEqual(['invalid_sparkplug']);
  });

  it('thousands of edge node ids with long names leave the Sparkplug state within its bounds', () => {
    const birth = tahuBirth();
    for (let i = 0; i < 2000; i++) decode(`spBv1.0/g${i % 7}/NBIRTH/${i}-${'x'.repeat(i % 300)}`, birth);
    expect(state.size).toBeLessThanOrEqual(200);
    expect(state.bytes).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('fuzz: the bridge still delivers after a hostile stream', () => {
  it('through mosquitto, every subscription delivers its next good message', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        max_packet_size: '2MiB',
        reconnect: { initial_ms: 20, max_ms: 200 },
        subscriptions: [
          { topic: 'j/+', metric: 'j.{topic.1}', value: '$.v' },
          { topic: 'n/+', format: 'number', metric: 'n.{topic.1}' },
          { topic: 'spBv1.0/#', format: 'sparkplug', metric: '{edge_node}.{name}' },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    for (const text of adversarialTexts) {
      await pub.publish('j/bad', text);
      await pub.publish('n/bad', text);
    }
    for (let i = 0; i < 200; i++) await pub.publish(i % 2 ? 'spBv1.0/g/NDATA/n1' : 'j/bad', bytes(Math.floor(rand() * 512)));
    await pub.publish('spBv1.0/g/NDATA/n1', nestedTemplates(100_000));
    await pub.publish('j/good', '{"v": 1}');
    await pub.publish('n/good', '2');
    await pub.publish('spBv1.0/g/NBIRTH/n9', tahuBirth());
    await t.waitFor(() => ['j.good', 'n.good', 'n9.f'].every((m) => t.points.some((p) => p.metric === m)), 'the good messages');
    expect(t.valuesOf('j.good')).toEqual([1]);
    expect(t.valuesOf('n.good')).toEqual([2]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'j/+', kind: 'invalid_json' })).toBeGreaterThan(0);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/#', kind: 'invalid_sparkplug' })).toBeGreaterThan(0);
    expect(t.ready()).toBe(true);
  });
});

