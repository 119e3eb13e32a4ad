// Issue 10, bridge-mqtt's findings: each test failed on the bridge before the fix (#1 threw a
// RangeError out of decoding, #14 took a 2 MiB packet whole, #15 kept every node, #17 logged and
// reconnected every cycle without backoff). #14 again, from a user audit: a message over the limit
// was still parsed and delivered as the connection dropped, and a persistent session looped on it.
import net from 'node:net';
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { Aedes } from 'aedes';
import { describe, expect, it } from 'vitest';
import { createOversizeFilter, MAX_KEPT_TOPIC_BYTES, oversizedSize, standInFor, type FilterStep } from '../src/_oversize-filter.js';
import { createRebirthRequester, MAX_REBIRTHS_PER_INTERVAL, REBIRTH_INTERVAL_MS } from '../src/_rebirth.js';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { loadSparkplugCodec } from '../src/sparkplug-codec.js';
import { SparkplugState } from '../src/sparkplug-state.js';
import { startAedes } from './helpers/aedes.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';
import { tahuPayload } from './helpers/tahu.js';
import { createTopicSurvey } from '../src/topic-survey.js';

const track = trackCleanups();
const RECEIVED_AT_MS = 1_800_000_000_000;
const nestedArrays = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
const nestedObjects = `${'{"x":'.repeat(40_000)}1${'}'.repeat(40_000)}`;

describe('#1 a deeply nested JSON value never throws out of decoding', () => {
  it.each([
    ['value $ as a number', { metric: 'a' }],
    ['fields of type string', { metric: 'a.{field}', fields: { s: { value: '$', type: 'string' }, x: { value: '$.x', type: 'string' } } }],
    ['a template reading {json.x}', { metric: 'a.{json.x}', value: '$.x', type: 'json' }],
    ['a boolean path', { metric: 'a', value: '$.x', type: 'boolean' }],
    ['a timestamp path', { metric: 'a', value: '$.x', timestamp: { path: '$.x', unit: 's' } }],
  ])('%s', (_name, rule) => {
    const [sub] = resolveSubscriptions(section({ url: 'mqtt://x', subscriptions: [{ topic: 'deep/#', ...rule }] }));
    for (const text of [nestedArrays, nestedObjects]) {
      const result = decodeMessage(sub!, { topic: 'deep/a', payload: Buffer.from(text), receivedAtMs: RECEIVED_AT_MS });
      expect(result).toEqual({ points: [], problems: [{ kind: 'invalid_json', message: 'the payload nests arrays or objects deeper than 64 levels' }] });
    }
  });

  it('a retained one does not stop the bridge, and the other subscriptions keep flowing', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await pub.client.publishAsync('deep/retained', nestedArrays, { qos: 1, retain: true });
    const { t, subscribed } = await startSource(
      section({ url: broker.url, subscriptions: [{ topic: 'deep/+', metric: 'deep.{topic.1}' }, { topic: 'ok/+', format: 'number', metric: 'ok.{topic.1}' }] }),
      {},
      track,
    );
    await subscribed();
    await t.waitFor(() => t.problems.some((p) => p.key === 'mqtt.deep/+.deep/retained.invalid_json'), 'the nested message refused');
    await pub.publish('ok/a', '42');
    await t.waitFor(() => t.points.length === 1, 'a point from the other subscription');
    expect(t.points[0]).toMatchObject({ metric: 'ok.a', value: 42 });
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'deep/+', kind: 'invalid_json' })).toBe(1);
  });
});

describe('#14 packets over max_packet_size are never read', () => {
  const marker = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const options = { maxBytes: 1024, protocolVersion: 4, marker };
  /** A PUBLISH as a broker sends it (MQTT 3.1.1 layout, or 5 with no properties). */
  const publish = (topic: string, payload: Uint8Array, qos: 0 | 1 | 2, id = 0, v5 = false): Uint8Array => {
    const t = Buffer.from(topic);
    const body = [t.length >> 8, t.length & 0xff, ...t, ...(qos > 0 ? [id >> 8, id & 0xff] : []), ...(v5 ? [0] : []), ...payload];
    const length: number[] = [];
    for (let n = body.length; ; n >>= 7) {
      length.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      if (n < 0x80) break;
    }
    return Uint8Array.from([0x30 | (qos << 1), ...length, ...body]);
  };
  const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts);
  /** Feeds `bytes` cut at `cuts` and joins what the filter passes on, or gives its refusal. */
  const run = (bytes: Uint8Array, cuts: number[], filter = createOversizeFilter(options)): Buffer | number => {
    const out: Uint8Array[] = [];
    for (const [i, at] of [0, ...cuts].entries()) {
      const step: FilterStep = filter(bytes.subarray(at, cuts[i] ?? bytes.length));
      if (!step.ok) return step.size;
      out.push(...step.out);
    }
    return concat(out);
  };
  const pingresp = Uint8Array.of(0xd0, 0x00);
  const small = publish('big/b', Buffer.from('small'), 1, 7);
  const big = publish('big/a', new Uint8Array(2000).fill(0x78), 1, 0x1234);

  it('passes packets within the limit on byte for byte, however the stream is cut', () => {
    const stream = concat([pingresp, small, Uint8Array.of(0x90, 0x03, 0x00, 0x01, 0x01), publish('x', new Uint8Array(1000), 0)]);
    const wrong: number[][] = [];
    for (let a = 0; a < stream.length; a += 7) {
      for (const b of [a + 1, a + 3, stream.length - 1]) {
        const cuts = [a, b].filter((c) => c > 0 && c < stream.length);
        const out = run(stream, cuts);
        if (!(Buffer.isBuffer(out) && out.equals(stream))) wrong.push(cuts);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('replaces an oversized PUBLISH by a stand-in with its flags, topic and identifier, wherever the cuts fall', () => {
    const stream = concat([pingresp, big, small]);
    const standIn = standInFor({ first: 0x32, topic: Buffer.from('big/a'), messageId: 0x1234, size: big.length }, options);
    // The stand-in is a QoS 1 PUBLISH of big/a, id 0x1234, whose payload is the marker and the size.
    expect(Buffer.from(standIn.subarray(0, 11))).toEqual(Buffer.from([0x32, 33, 0, 5, ...Buffer.from('big/a'), 0x12, 0x34]));
    expect(oversizedSize(standIn.subarray(11), marker)).toBe(2012);
    expect(big.length).toBe(2012);
    const expected = concat([pingresp, standIn, small]);
    // Every cut from the packet's header through its topic length, topic and identifier, and one in its body.
    for (let at = 1; at < 16; at++) expect(run(stream, [at]), `cut at ${at}`).toEqual(expected);
    expect(run(stream, [1, 3, 4, 6, 9, 12, 13, 500, 2013])).toEqual(expected);
    // One byte at a time.
    expect(run(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1))).toEqual(expected);
  });

  it('QoS 0 and 2, MQTT 5, and long topics', () => {
    const q0 = publish('big/q0', new Uint8Array(3000), 0);
    expect(run(q0, [])).toEqual(Buffer.from(standInFor({ first: 0x30, topic: Buffer.from('big/q0'), messageId: undefined, size: q0.length }, options)));
    const q2 = publish('big/q2', new Uint8Array(3000), 2, 9);
    expect(run(q2, [5])).toEqual(Buffer.from(standInFor({ first: 0x34, topic: Buffer.from('big/q2'), messageId: 9, size: q2.length }, options)));
    const v5 = createOversizeFilter({ ...options, protocolVersion: 5 });
    const q1v5 = publish('big/v5', new Uint8Array(3000), 1, 3, true);
    const out = run(q1v5, [2], v5) as Buffer;
    // Topic, identifier, then a property length of 0 before the marker.
    expect(out.subarray(2, 2 + 2 + 6 + 2 + 1)).toEqual(Buffer.from([0, 6, ...Buffer.from('big/v5'), 0, 3, 0]));
    expect(oversizedSize(out.subarray(13), marker)).toBe(q1v5.length);
    const long = 't'.repeat(5000);
    const standIn = run(publish(long, Buffer.from('x'), 1, 1), [100, 4000]) as Buffer;
    expect(standIn.readUInt16BE(3)).toBe(MAX_KEPT_TOPIC_BYTES);
  });

  it('refuses what cannot be skipped: an oversized packet that is no PUBLISH, a malformed length, parts that do not fit', () => {
    expect(run(Uint8Array.of(0x90, 0x80, 0x10, 0x00, 0x01), [])).toBe(3 + 2048);
    expect(run(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff), [])).toBe(Infinity);
    // Remaining length 2048, topic length 4000.
    expect(run(Uint8Array.of(0x32, 0x80, 0x10, 0x0f, 0xa0, 0x61), [4])).toBe(2051);
    expect(run(Uint8Array.of(0x36, 0x80, 0x10, 0x00, 0x01, 0x61), [])).toBe(2051);
    // Remaining length 0x7e + 7 * 128 = 1022, plus 3 header bytes: one byte over; 1021 fits exactly.
    expect(run(Uint8Array.of(0x90, 0xfe, 0x07), [])).toBe(1025);
    expect(run(Uint8Array.of(0x90, 0xfd, 0x07), [])).toEqual(Buffer.from([0x90, 0xfd, 0x07]));
  });

  it('MQTT 3.1.1: skips an oversized message without reading it or dropping the connection, counted and logged with its topic', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const { t, subscribed } = await startSource(
      section({ url: broker.url, max_packet_size: '1MiB', reconnect: { initial_ms: 20, max_ms: 100 }, subscriptions: [{ topic: 'big/+', format: 'text', metric: 'big.{topic.1}' }] }),
      {},
      track,
    );
    await subscribed();
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await pub.publish('big/a', 'x'.repeat(2 * 1024 * 1024), 0);
    await pub.publish('big/b', 'small', 0);
    await t.waitFor(() => t.points.length === 1, 'the small message');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['big.b', 'small']]);
    const report = t.problems.find((p) => p.key === 'mqtt.big/+.big/a.too_large');
    expect(report?.message).toMatch(/^subscription big\/\+: big\/a: a message of 2097\d{3} bytes, more than max_packet_size \(1MiB\), was acknowledged without being read/);
    expect(await t.metric('fieldbridge_mqtt_packets_too_large_total', {})).toBe(1);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'big/+', kind: 'too_large' })).toBe(1);
    expect(await t.metric('fieldbridge_mqtt_connects_total', { result: 'ok' })).toBe(1);
    expect(t.problems.some((p) => p.key === 'mqtt.connection')).toBe(false);
  });

  it.each([1, 2] as const)('MQTT 3.1.1, persistent session, QoS %i: the oversized message queued for it is acknowledged unread once, the rest come once', async (qos) => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const config = section({
      url: broker.url,
      client_id: `fb-big-${qos}`,
      clean: false,
      max_packet_size: '1KiB',
      reconnect: { initial_ms: 20, max_ms: 100 },
      subscriptions: [{ topic: 'big/+', qos, format: 'text', metric: 'big.{topic.1}' }],
    });
    // A first run subscribes and goes, so the broker queues what is published meanwhile for the session.
    const first = await startSource(config);
    await first.subscribed();
    await first.source.stop();
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await pub.publish('big/a', 'x'.repeat(2000), qos);
    await pub.publish('big/b', 'b', qos);
    await pub.publish('big/c', 'c', qos);

    const second = await startSource(config, {}, track);
    await second.t.waitFor(() => second.t.points.length === 2, 'the two small queued messages');
    await second.subscribed();
    await pub.publish('big/d', 'd', qos);
    await second.t.waitFor(() => second.t.points.length === 3, 'a live message after them');
    expect(second.t.points.map((p) => [p.metric, p.value])).toEqual([['big.b', 'b'], ['big.c', 'c'], ['big.d', 'd']]);
    expect(await second.t.metric('fieldbridge_mqtt_packets_too_large_total', {})).toBe(1);
    expect(await second.t.metric('fieldbridge_mqtt_connects_total', { result: 'ok' })).toBe(1);
    const reports = second.t.problems.filter((p) => p.key === 'mqtt.big/+.big/a.too_large');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.message).toBe('subscription big/+: big/a: a message of 2012 bytes, more than max_packet_size (1KiB), was acknowledged without being read, so the broker lets it go: it is lost (raise max_packet_size to read such messages)');
    await second.source.stop();

    // The broker kept nothing of it for the session: the next run hears a new message first.
    const third = await startSource(config, {}, track);
    await third.subscribed();
    await pub.publish('big/e', 'e', qos);
    await third.t.waitFor(() => third.t.points.length === 1, 'the new message');
    expect(third.t.points.map((p) => p.value)).toEqual(['e']);
    expect(await third.t.metric('fieldbridge_mqtt_packets_too_large_total', {})).toBe(0);
  });

  it('MQTT 5: the broker is told the limit and discards larger messages itself', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const { t, subscribed } = await startSource(
      section({ url: broker.url, protocol_version: 5, max_packet_size: '64KiB', subscriptions: [{ topic: 'big/+', format: 'text', metric: 'big.{topic.1}' }] }),
      {},
      track,
    );
    await subscribed();
    const pub = track.add(await connectPublisher(broker.url, { protocolVersion: 5 }), (p) => p.close());
    await pub.publish('big/a', 'x'.repeat(100 * 1024), 1);
    await pub.publish('big/b', 'small', 1);
    await t.waitFor(() => t.points.length === 1, 'the small message');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['big.b', 'small']]);
    expect(await t.metric('fieldbridge_mqtt_connects_total', { result: 'ok' })).toBe(1);
    expect(await t.metric('fieldbridge_mqtt_packets_too_large_total', {})).toBe(0);
  });
});

describe('#15 Sparkplug state is bounded', () => {
  const [sub] = resolveSubscriptions(section({ url: 'mqtt://x', subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug', metric: '{edge_node}.{name}' }] }));

  it('keeps at most 10,000 edge nodes, forgetting the least recently heard, and counts them', async () => {
    const codec = await loadSparkplugCodec();
    const state = new SparkplugState();
    const payload = codec.encodeRebirth(RECEIVED_AT_MS);
    for (let i = 0; i < 30_000; i++) decodeMessage(sub!, { topic: `spBv1.0/g/NBIRTH/n${i}`, payload, receivedAtMs: RECEIVED_AT_MS }, { codec, state });
    expect(state.size).toBe(10_000);
    expect(state.evictions).toBe(20_000);
  });

  it('bounds the bytes of the alias tables: other nodes go first, then a birth is learnt in part', async () => {
    const codec = await loadSparkplugCodec();
    const state = new SparkplugState({ maxNodes: 1000, maxBytes: 256 * 1024 });
    const birth = (n: number) => proto({ timestamp: RECEIVED_AT_MS, metrics: Array.from({ length: n }, (_, i) => ({ name: `m${i}-${'x'.repeat(200)}`, alias: i, datatype: 3, intValue: i })) });
    const decode = (topic: string, payload: Uint8Array) => decodeMessage(sub!, { topic, payload, receivedAtMs: RECEIVED_AT_MS }, { codec, state });
    for (let node = 0; node < 50; node++) expect(decode(`spBv1.0/g/NBIRTH/n${node}`, birth(20)).problems).toEqual([]);
    expect(state.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(state.evictions).toBeGreaterThan(0);
    const huge = decode('spBv1.0/g/NBIRTH/big', birth(400));
    expect(huge.problems.map((p) => p.kind)).toEqual(['too_many_metrics']);
    expect(huge.points).toHaveLength(401);
    expect(state.size).toBe(1);
    expect(state.bytes).toBeLessThanOrEqual(256 * 1024);
    // Metrics learnt before the budget ran out still resolve by alias; the rest ask for a rebirth.
    const data = decode('spBv1.0/g/NDATA/big', proto({ timestamp: RECEIVED_AT_MS, metrics: [{ alias: 0, intValue: 7 }, { alias: 399, intValue: 8 }] }));
    expect(data.points.map((p) => p.value)).toEqual([7]);
    expect(data.rebirth).toEqual({ group: 'g', edgeNode: 'big' });
  });

  it('asks each node for a rebirth at most every 30 s, all nodes together at most 100 times, logging one line per interval', () => {
    let now = 0;
    const published: string[] = [];
    const lines: string[] = [];
    const ctx = { logger: { info: (_fields: unknown, line: string) => lines.push(line) }, clock: { now: () => RECEIVED_AT_MS + now, monotonicNow: () => now } } as unknown as Parameters<typeof createRebirthRequester>[0];
    let sent = 0;
    const ask = createRebirthRequester(ctx, (topic) => (published.push(topic), true), () => new Uint8Array(0), () => sent++);
    for (let i = 0; i < 1000; i++) ask('g', `n${i % 500}`);
    expect(published).toHaveLength(MAX_REBIRTHS_PER_INTERVAL);
    expect(published[0]).toBe('spBv1.0/g/NCMD/n0');
    expect(lines).toEqual(['asked Sparkplug edge node g/n0 for a rebirth (NCMD Node Control/Rebirth)']);
    now += REBIRTH_INTERVAL_MS - 1;
    ask('g', 'n0');
    ask('g', 'n400');
    expect(published).toHaveLength(MAX_REBIRTHS_PER_INTERVAL);
    now += 1;
    ask('g', 'n0');
    ask('g', 'n401');
    expect(published.slice(MAX_REBIRTHS_PER_INTERVAL)).toEqual(['spBv1.0/g/NCMD/n0', 'spBv1.0/g/NCMD/n401']);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('asked Sparkplug edge node g/n0 for a rebirth (NCMD Node Control/Rebirth); 99 more requests since the last such line (at most 100 every 30 s)');
    expect(sent).toBe(published.length);
  });

  it('a source asks at most 100 unknown edge nodes for a rebirth in 30 s', async () => {
    const aedes = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: aedes.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug', rebirth: true }] }), {}, track);
    await subscribed();
    const pub = track.add(await connectPublisher(aedes.url), (p) => p.close());
    const data = proto({ timestamp: RECEIVED_AT_MS, metrics: [{ alias: 1, intValue: 1 }] });
    for (let node = 0; node < 150; node++) await pub.publish(`spBv1.0/g/NDATA/n${node}`, data);
    await until(async () => (await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/#', kind: 'unknown_alias' })) === 150, 'every DATA read');
    expect(await t.metric('fieldbridge_mqtt_sparkplug_rebirths_total', {})).toBe(MAX_REBIRTHS_PER_INTERVAL);
    // The nodes asked are waited on (counted only); the others are warned about, saying they are not asked yet.
    const warned = t.problems.filter((p) => p.message?.includes('alias 1 is not defined'));
    expect(warned).toHaveLength(150 - MAX_REBIRTHS_PER_INTERVAL);
    expect(warned[0]?.message).toBe('subscription spBv1.0/#: spBv1.0/g/NDATA/n100: metric alias 1 is not defined by a birth certificate seen since the bridge started; a rebirth is requested (Node Control/Rebirth) (not sent yet: at most 100 requests go out every 30 s; a later DATA of the node asks)');
  });

  it('a source counts evicted nodes in fieldbridge_mqtt_sparkplug_nodes_evicted_total', async () => {
    const codec = await loadSparkplugCodec();
    const aedes = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: aedes.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug' }] }), { sparkplugLimits: { maxNodes: 2, maxBytes: 1024 ** 2 } }, track);
    await subscribed();
    const pub = track.add(await connectPublisher(aedes.url), (p) => p.close());
    for (const node of ['a', 'b', 'c', 'd']) await pub.publish(`spBv1.0/g/NBIRTH/${node}`, codec.encodeRebirth(RECEIVED_AT_MS));
    await t.waitFor(() => t.points.length === 4, 'four births');
    expect(await t.metric('fieldbridge_mqtt_sparkplug_nodes_evicted_total', {})).toBe(2);
    expect(t.problems.filter((p) => p.key === 'mqtt.sparkplug.evicted' && p.logged)).toHaveLength(1);
  });
});

describe('#17 a broker that accepts and then closes', () => {
  it('gets ever longer pauses, and the episode is logged once', async () => {
    const broker = await Aedes.createBroker();
    broker.on('clientReady', (client) => client.close());
    const server = net.createServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track.defer(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    });
    const url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const { t } = await startSource(section({ url, reconnect: { initial_ms: 20, max_ms: 5000 }, subscriptions: [{ topic: 'x', metric: 'x' }] }), { random: () => 0.5 }, track);
    await t.waitFor(() => t.problems.filter((p) => p.kind === 'report').length >= 5, 'five losses');
    const reports = t.problems.filter((p) => p.key === 'mqtt.connection');
    expect(reports.slice(0, 5).map((p) => Number(/next attempt in (\d+) ms/.exec(p.message ?? '')?.[1]))).toEqual([20, 40, 80, 160, 320]);
    expect(reports.filter((p) => p.logged)).toHaveLength(1);
    expect(reports.some((p) => p.kind === 'resolve')).toBe(false);
    // Closed before its subscription was answered: refused, not taken over by a client with the same id.
    expect(t.problems.filter((p) => p.key === 'mqtt.client_id')).toEqual([]);
    expect(await t.metric('fieldbridge_mqtt_connects_total', { result: 'ok' })).toBeGreaterThanOrEqual(5);
  });
});

/** A Sparkplug payload encoded from raw protobuf fields (aliases without names, as edge nodes send DATA). */
function proto(fields: Record<string, unknown>): Uint8Array {
  return tahuPayload(fields);
}

// From a user audit: a number's pattern split a run of digits every way before refusing it, so a
// payload of half a megabyte of digits and a letter held the event loop for minutes: no message,
// no keep-alive, no delivery meanwhile.
describe('a long run of digits that is no number', () => {
  it('is refused at once, as a payload, a JSON string and a scanned value, and what follows flows', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const digits = `${'7'.repeat(512 * 1024)}x`;
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        subscriptions: [
          { topic: 'digits/bare', format: 'number', metric: 'bare' },
          { topic: 'digits/json', metric: 'json', value: '$.v', timestamp: { path: '$.v', unit: 's' } },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = await connectPublisher(broker.url);
    track.defer(() => pub.close());
    await pub.publish('digits/bare', digits);
    await pub.publish('digits/json', JSON.stringify({ v: digits }));
    await pub.publish('digits/bare', '42');
    await t.waitFor(() => t.points.length === 1, 'the number after them');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['bare', 42]]);
    expect(await t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: 'digits/bare', kind: 'not_a_number' })).toBe(1);
    expect(await t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: 'digits/json', kind: 'not_a_number' })).toBe(1);
    // --scan reads every payload the same way.
    const survey = createTopicSurvey();
    survey.message('digits/bare', Buffer.from(digits), false);
    expect(survey.result().topics.map((topic) => topic.format)).toEqual(['text']);
  });
});
