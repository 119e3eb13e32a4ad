// A bridge with `rebirth: true` started (or reloaded) after an edge node's births reads its DATA
// as unknown aliases until the births it asks for come: expected, so counted and not warned
// about. An alias still unknown after the edge node answered, or once it did not in time, is
// warned about, saying which. Real mosquitto; payloads encoded by Tahu's sparkplug-payload.
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createRebirthWait, REBIRTH_ANSWER_MS } from '../src/_rebirth-wait.js';
import { collectingLogger, section, startSource, type Publisher } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const T = 1_700_000_000_000;
const proto = (fields: Record<string, unknown>): Uint8Array => tahuPayload(fields);
const WARN = 40;

const broker = sharedMosquitto();

/** An edge node of group `group` that answers each Node Control/Rebirth with `births` (when given), in order. */
async function edgeNode(group: string, births?: (node: Publisher) => Promise<void>): Promise<Publisher & { commands: string[] }> {
  const node = await broker.publisher(track);
  const commands: string[] = [];
  let answering = Promise.resolve();
  node.client.on('message', (topic) => {
    commands.push(topic);
    if (births) answering = answering.then(() => births(node));
  });
  await node.client.subscribeAsync(`spBv1.0/${group}/NCMD/#`, { qos: 1 });
  return Object.assign(node, { commands });
}

const nodeBirth = proto({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }, { name: 'uptime', alias: 1, datatype: 7, intValue: 5 }] });
const deviceBirth = proto({ timestamp: T, seq: 1, metrics: [{ name: 'Temp', alias: 10, datatype: 10, doubleValue: 61.5 }] });
const nodeData = (seq: number, alias = 1): Uint8Array => proto({ timestamp: T + seq, seq, metrics: [{ alias, intValue: seq }] });
const deviceData = (seq: number): Uint8Array => proto({ timestamp: T + seq, seq, metrics: [{ alias: 10, doubleValue: 60 + seq }] });

describe('with rebirth: true, DATA by alias of an edge node born before the bridge started', () => {
  it('is counted while the births it asked for come, not warned about, at a start and after a reload', async () => {
    const node = await edgeNode('g1', async (n) => {
      await n.publish('spBv1.0/g1/NBIRTH/n1', nodeBirth);
      await n.publish('spBv1.0/g1/DBIRTH/n1/d1', deviceBirth);
    });
    const mapping = section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/g1/#', format: 'sparkplug', rebirth: true, metric: '{edge_node}.{device}.{name}' }] });
    const reloadState = new Map<string, unknown>();
    for (const run of [1, 2]) {
      const log = collectingLogger();
      const { t, source, subscribed } = await startSource(mapping, {}, track, reloadState, { logger: log.logger });
      await subscribed();
      // Sent together, so both go before the births asked for: the bridge has no alias of n1 yet.
      await Promise.all([node.publish('spBv1.0/g1/NDATA/n1', nodeData(2)), node.publish('spBv1.0/g1/DDATA/n1/d1', deviceData(3))]);
      await t.waitFor(() => t.valuesOf('n1.d1.Temp').length === 1, 'the device birth asked for');
      // The seq that follows the births' (0 and 1).
      await node.publish('spBv1.0/g1/DDATA/n1/d1', deviceData(2));
      await t.waitFor(() => t.valuesOf('n1.d1.Temp').length === 2, 'DDATA read by alias');
      await source.stop();

      expect(node.commands).toHaveLength(run);
      expect(t.valuesOf('n1.d1.Temp')).toEqual([61.5, 62]);
      expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/g1/#', kind: 'unknown_alias' })).toBe(2);
      expect(t.problems).toEqual([]);
      expect(log.lines().filter((l) => l.level >= WARN)).toEqual([]);
      expect(log.lines().map((l) => l.msg)).toContain('asked Sparkplug edge node g1/n1 for a rebirth (NCMD Node Control/Rebirth)');
    }
  });

  it('is warned about when an alias is still unknown after the edge node answered', async () => {
    // Its births define alias 1, never alias 99.
    const node = await edgeNode('g2', (n) => n.publish('spBv1.0/g2/NBIRTH/n1', nodeBirth));
    const log = collectingLogger();
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/g2/#', format: 'sparkplug', rebirth: true, metric: '{edge_node}.{name}' }] }), {}, track, undefined, { logger: log.logger });
    await subscribed();
    await node.publish('spBv1.0/g2/NDATA/n1', nodeData(1, 99));
    await t.waitFor(() => t.valuesOf('n1.uptime').length === 1, 'the node birth asked for');
    expect(t.problems).toEqual([]);
    // The seq that follows the birth's (0).
    await node.publish('spBv1.0/g2/NDATA/n1', nodeData(1, 99));
    await t.waitFor(() => t.problems.length === 1, 'the alias still unknown');

    expect(t.problems[0]).toEqual({
      kind: 'report',
      key: 'mqtt.spBv1.0/g2/#.spBv1.0/g2/NDATA/n1.unknown_alias',
      logged: true,
      message: 'subscription spBv1.0/g2/#: spBv1.0/g2/NDATA/n1: metric alias 99 is not defined by a birth certificate seen since the bridge started; a rebirth is requested (Node Control/Rebirth) (the births the edge node sent since the bridge asked for them do not define it either)',
    });
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/g2/#', kind: 'unknown_alias' })).toBe(2);
  });

  it('is warned about once the births asked for did not come in time', async () => {
    const node = await edgeNode('g3');
    let shift = 0;
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/g3/#', format: 'sparkplug', rebirth: true }] }), {}, track);
    const real = t.ctx.clock;
    // Time passes for the bridge's wait only: REBIRTH_ANSWER_MS later, at once.
    t.ctx.clock = { ...real, monotonicNow: () => real.monotonicNow() + shift };
    await subscribed();
    await node.publish('spBv1.0/g3/NDATA/n1', nodeData(1));
    await until(() => node.commands.length === 1, 'the first request');
    expect(t.problems).toEqual([]);
    shift = REBIRTH_ANSWER_MS;
    await node.publish('spBv1.0/g3/NDATA/n1', nodeData(2));
    await t.waitFor(() => t.problems.length === 1, 'the DATA after the wait');

    expect(t.problems[0]?.message).toBe(
      "subscription spBv1.0/g3/#: spBv1.0/g3/NDATA/n1: metric alias 1 is not defined by a birth certificate seen since the bridge started; a rebirth is requested (Node Control/Rebirth) (no birth came within 30 s of the bridge's request on spBv1.0/g3/NCMD/n1: does the edge node answer Node Control/Rebirth, and does the broker's ACL let the bridge publish there?)",
    );
    // It is asked again, and waited on no more: its next unknown aliases are warned about too.
    await until(() => node.commands.length === 2, 'the second request');
  });
});

describe('createRebirthWait', () => {
  it('waits on the first request to a node only, until its NBIRTH or the answer time', () => {
    let now = 0;
    const wait = createRebirthWait(() => now);
    expect(wait.standing('g/a')).toBeUndefined();
    wait.asked('g/a');
    wait.asked('g/b');
    expect(wait.standing('g/a')).toBe('waiting');
    wait.born('g/a');
    expect(wait.standing('g/a')).toBe('answered');
    // A later request (its births did not define an alias) is not waited on.
    wait.asked('g/a');
    expect(wait.standing('g/a')).toBe('answered');
    now = REBIRTH_ANSWER_MS - 1;
    expect(wait.standing('g/b')).toBe('waiting');
    now = REBIRTH_ANSWER_MS;
    expect(wait.standing('g/b')).toBe('unanswered');
    wait.asked('g/b');
    expect(wait.standing('g/b')).toBe('unanswered');
    // A birth that comes late is an answer still; a birth of a node never asked is nothing to wait on.
    wait.born('g/b');
    expect(wait.standing('g/b')).toBe('answered');
    wait.born('g/c');
    expect(wait.standing('g/c')).toBeUndefined();
  });
});
