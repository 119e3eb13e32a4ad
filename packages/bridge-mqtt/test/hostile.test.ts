// Issue 10, bridge-mqtt's findings: each test failed on the bridge before the fix (#1 threw a
// RangeError out of decoding, #14 took a 2 MiB packet whole, #15 kept every node, #17 logged and
// reconnected every cycle without backoff).
import { createRequire } from 'node:module';
import net from 'node:net';
import { trackCleanups } from '@fieldbridge/core/testing';
import { Aedes } from 'aedes';
import { describe, expect, it } from 'vitest';
import { createPacketSizeGuard } from '../src/_packet-guard.js';
import { createRebirthRequester, MAX_REBIRTHS_PER_INTERVAL, REBIRTH_INTERVAL_MS } from '../src/_rebirth.js';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { loadSparkplugCodec } from '../src/sparkplug-codec.js';
import { SparkplugState } from '../src/sparkplug-state.js';
import { startAedes } from './helpers/aedes.js';
import { startMosquitto } from '../src/testing/mosquitto.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';

interface ProtoPayload {
  fromObject(object: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
const { Payload } = (createRequire(import.meta.url)('sparkplug-payload/lib/sparkplugPayloadProto.js') as { org: { eclipse: { tahu: { protobuf: { Payload: ProtoPayload } } } } }).org.eclipse.tahu.protobuf;
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

describe('#14 packets over max_packet_size are refused before they are read', () => {
  it('follows packet headers across chunks and finds an oversized one from its header alone', () => {
    const guard = createPacketSizeGuard(1024);
    // PINGRESP (2 bytes), then a PUBLISH of 300 bytes split over chunks, then one announcing 2 MiB.
    expect(guard(Uint8Array.of(0xd0, 0x00, 0x30))).toBeUndefined();
    expect(guard(Uint8Array.of(0xab))).toBeUndefined();
    expect(guard(Uint8Array.of(0x02, ...new Array<number>(200).fill(0)))).toBeUndefined();
    expect(guard(new Uint8Array(99))).toBeUndefined();
    expect(guard(Uint8Array.of(0x30, 0x80, 0x80))).toBeUndefined();
    expect(guard(Uint8Array.of(0x80, 0x01))).toBe(1 + 4 + 2 * 1024 * 1024);
    expect(createPacketSizeGuard(1024)(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff))).toBe(Infinity);
    // Remaining length 0x7e + 7 * 128 = 1022, plus 3 header bytes: one byte over; 1021 fits exactly.
    expect(createPacketSizeGuard(1024)(Uint8Array.of(0x30, 0xfe, 0x07))).toBe(1025);
    expect(createPacketSizeGuard(1024)(Uint8Array.of(0x30, 0xfd, 0x07))).toBeUndefined();
  });

  it('MQTT 3.1.1: drops the connection at the header, counts it, and reads on after the reconnect', async () => {
    const broker = track.add(await startMosquitto(), (b) => b.close());
    const { t, subscribed } = await startSource(
      section({ url: broker.url, max_packet_size: '1MiB', reconnect: { initial_ms: 20, max_ms: 100 }, subscriptions: [{ topic: 'big/+', format: 'text', metric: 'big.{topic.1}' }] }),
      {},
      track,
    );
    await subscribed();
    const pub = track.add(await connectPublisher(broker.url), (p) => p.close());
    await pub.publish('big/a', 'x'.repeat(2 * 1024 * 1024), 0);
    await t.waitFor(() => t.problems.some((p) => p.key === 'mqtt.connection'), 'the connection dropped');
    expect(t.problems.find((p) => p.key === 'mqtt.connection')?.message).toMatch(/the broker sent a packet of 2097\d{3} bytes, more than max_packet_size \(1MiB\); dropped the connection before reading it/);
    expect(await t.metric('fieldbridge_mqtt_packets_too_large_total', {})).toBe(1);
    await t.waitFor(() => t.ready(), 'subscribed again');
    await pub.publish('big/b', 'small', 0);
    await t.waitFor(() => t.points.length === 1, 'the small message');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['big.b', 'small']]);
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
    await t.waitFor(() => t.problems.filter((p) => p.message?.includes('alias 1 is not defined')).length === 150, 'every DATA read');
    expect(await t.metric('fieldbridge_mqtt_sparkplug_rebirths_total', {})).toBe(MAX_REBIRTHS_PER_INTERVAL);
    expect(t.problems[0]?.message).toMatch(/alias 1 is not defined by a birth certificate seen since the bridge started; a rebirth is requested/);
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
    expect(await t.metric('fieldbridge_mqtt_connects_total', { result: 'ok' })).toBeGreaterThanOrEqual(5);
  });
});

/** A Sparkplug payload encoded from raw protobuf fields (aliases without names, as edge nodes send DATA). */
function proto(fields: Record<string, unknown>): Uint8Array {
  return Payload.encode(Payload.fromObject(fields)).finish();
}
