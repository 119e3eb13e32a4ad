// Retained messages come again at every subscription: after a clean session's reconnect and after
// a SIGHUP reload. The broker's copy of a value this process delivered already is not a new point
// (a new timestamp would make rules fire again and a dead device look alive); a new value is.
import { startFaultProxy, trackCleanups } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRetainedMemory } from '../src/_retained.js';
import { section, startSource, type Publisher } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const broker = sharedMosquitto();
let pub: Publisher;
beforeAll(async () => {
  pub = await broker.publisher();
});

const counter = { topic: 'plant/+/+/counter', format: 'number', metric: '{topic.1}.{topic.2}.parts' };
const retain = (topic: string, payload: string | Uint8Array) => pub.retain(topic, payload);
describe('a retained message', () => {
  it('is delivered once at the first start, not again at each reload, and again when it changed', async () => {
    await retain('plant/line1/press1/counter', '615');
    const reloadState = new Map<string, unknown>();
    const config = section({ url: broker.url, subscriptions: [counter] });
    const first = await startSource(config, {}, undefined, reloadState);
    await first.t.waitFor(() => first.t.points.length === 1, 'the retained value');
    expect(first.t.points.map((p) => [p.metric, p.value])).toEqual([['line1.press1.parts', 615]]);
    await first.source.stop();

    for (const reload of [1, 2]) {
      const again = await startSource(config, {}, undefined, reloadState);
      await again.subscribed();
      // A live message after it: the retained one came before, in the order the broker sent them.
      await pub.publish('plant/line1/press9/counter', String(reload), 1);
      await again.t.waitFor(() => again.t.points.length >= 1, 'the live message');
      expect(again.t.points.map((p) => [p.metric, p.value])).toEqual([['line1.press9.parts', reload]]);
      expect(await again.t.metric('fieldbridge_source_messages_total', { channel: counter.topic })).toBe(2);
      expect(await again.t.metric('fieldbridge_source_points_suppressed_total', { channel: counter.topic, reason: 'retained_repeat' })).toBe(1);
      await again.source.stop();
    }

    // Published while the bridge was away: a new value, delivered.
    await retain('plant/line1/press1/counter', '616');
    const later = await startSource(config, {}, track, reloadState);
    await later.t.waitFor(() => later.t.points.some((p) => p.metric === 'line1.press1.parts'), 'the new retained value');
    expect(later.t.valuesOf('line1.press1.parts')).toEqual([616]);
    await later.source.stop();

    // A mapping that reads the topic otherwise reads its retained value again.
    const renamed = await startSource(section({ url: broker.url, subscriptions: [{ ...counter, metric: '{topic.2}.count' }] }), {}, track, reloadState);
    await renamed.t.waitFor(() => renamed.t.points.some((p) => p.metric === 'press1.count'), 'the value under its new name');
    expect(renamed.t.valuesOf('press1.count')).toEqual([616]);
  });

  // The queued messages of a kept session come before the re-subscription brings the retained
  // copy: that older value was read last, so the device's latest value looked like the retained one.
  it.each([4, 5] as const)('older than the messages a persistent session queued is not read after them (protocol_version %i)', async (version) => {
    const topic = `kept${version}/line1/press1/counter`;
    const config = section({ url: broker.url, protocol_version: version, client_id: `fb-retained-kept-v${version}`, clean: false, subscriptions: [{ ...counter, topic: `kept${version}/+/+/counter` }] });
    const first = await startSource(config, {}, track);
    await first.subscribed();
    await retain(topic, '1');
    await first.t.waitFor(() => first.t.points.length === 1, 'the value');
    await first.source.stop();
    await pub.publish(topic, '2', 1);
    await pub.publish(topic, '3', 1);
    // A new process: it remembers nothing of the last one.
    const restarted = await startSource(config, {}, track);
    await restarted.subscribed();
    await pub.publish(topic, '4', 1);
    await restarted.t.waitFor(() => restarted.t.valuesOf('line1.press1.parts').includes(4), 'the live value');
    expect(restarted.t.valuesOf('line1.press1.parts')).toEqual([2, 3, 4]);
    expect(await restarted.t.metric('fieldbridge_source_points_suppressed_total', { channel: `kept${version}/+/+/counter`, reason: 'retained_stale' })).toBe(1);
  });

  it('of Sparkplug (a birth retained, against the specification) still teaches each start its aliases', async () => {
    const proto = (fields: Record<string, unknown>) => Buffer.from(tahuPayload(fields));
    const T = 1_700_000_000_000;
    await retain('spBv1.0/rg/NBIRTH/n1', proto({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }, { name: 'Temp', alias: 7, datatype: 3, intValue: 20 }] }));
    const reloadState = new Map<string, unknown>();
    const config = section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/rg/#', format: 'sparkplug' }] });
    const first = await startSource(config, {}, undefined, reloadState);
    await first.t.waitFor(() => first.t.valuesOf('rg.n1.Temp').length === 1, 'the retained birth');
    await first.source.stop();
    // The reload's new start: its alias tables are empty until the retained birth comes again.
    const again = await startSource(config, {}, track, reloadState);
    await again.subscribed();
    await pub.publish('spBv1.0/rg/NDATA/n1', proto({ timestamp: T + 1, seq: 1, metrics: [{ alias: 7, intValue: 21 }] }), 1);
    await again.t.waitFor(() => again.t.valuesOf('rg.n1.Temp').includes(21), 'DATA read by alias after the reload');
    expect(again.t.problems.filter((p) => p.key?.endsWith('unknown_alias'))).toEqual([]);
    await retain('spBv1.0/rg/NBIRTH/n1', '');
  });

  it('is not delivered again when a clean session reconnects and subscribes again', async () => {
    await retain('hall/a/temp', '21.5');
    const gate = track.add(await startFaultProxy({ target: { port: broker.port } }), (p) => p.close());
    const { t, subscribed } = await startSource(
      section({ url: `mqtt://127.0.0.1:${gate.port}`, reconnect: { initial_ms: 20, max_ms: 100 }, subscriptions: [{ topic: 'hall/+/temp', format: 'number', metric: 'hall.{topic.1}' }] }),
      { stableMs: 0 },
      track,
    );
    await t.waitFor(() => t.points.length === 1, 'the retained value');
    gate.cut();
    await t.waitFor(() => t.channels()['hall/+/temp']?.state === 'disconnected', 'the connection lost');
    await subscribed();
    await pub.publish('hall/b/temp', '19', 1);
    await t.waitFor(() => t.points.length === 2, 'a live message after the reconnect');
    expect(t.points.map((p) => [p.metric, p.value])).toEqual([['hall.a', 21.5], ['hall.b', 19]]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'hall/+/temp', reason: 'retained_repeat' })).toBe(1);
  });

  it('is remembered for a bounded number of topics, each by at most 1 KiB', () => {
    const memory = createRetainedMemory(100);
    const big = Buffer.alloc(100_000, 1);
    for (let i = 0; i < 1000; i++) memory.took(`t/${i}`, i === 999 ? big : Buffer.from(String(i)), 'r', true, 1);
    expect(memory.size).toBe(100);
    // Looked at after a reconnect, as a re-subscription brings them again.
    memory.connected();
    expect(memory.repeat('t/0', Buffer.from('0'), 'r')).toBeUndefined();
    expect(memory.repeat('t/998', Buffer.from('998'), 'r')).toBe(1);
    expect(memory.repeat('t/999', Buffer.alloc(100_000, 1), 'r')).toBe(1);
    expect(memory.repeat('t/999', Buffer.alloc(100_000, 2), 'r')).toBeUndefined();
    // A subscription brings a topic's retained message once: a second in the same connection is live
    // (a broker flagging live messages retained), and a steady value's repeats go through.
    memory.connected();
    memory.took('steady', Buffer.from('7'), 'r', true, 1);
    memory.connected();
    expect(memory.repeat('steady', Buffer.from('7'), 'r')).toBe(1);
    expect(memory.repeat('steady', Buffer.from('7'), 'r')).toBeUndefined();
    memory.took('steady', Buffer.from('7'), 'r', true, 1);
    expect(memory.repeat('steady', Buffer.from('7'), 'r')).toBeUndefined();
    memory.connected();
    expect(memory.repeat('steady', Buffer.from('7'), 'r')).toBe(1);
    // Live messages on a topic never retained are not remembered.
    memory.took('live/x', Buffer.from('1'), 'r', false, 1);
    expect(memory.repeat('live/x', Buffer.from('1'), 'r')).toBeUndefined();
  });
});
