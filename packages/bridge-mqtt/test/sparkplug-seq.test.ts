// Sparkplug B's seq: a host that sees an edge node's seq skip asks for its births again, since a
// DBIRTH among the messages it missed may have given the aliases other metrics.
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { seqExpected } from '../src/_sparkplug-seq.js';
import { startAedes } from './helpers/aedes.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const T = 1_700_000_000_000;

describe('Sparkplug B seq', () => {
  it('follows on from 255 to 0; the same seq twice is a message delivered twice, not a gap', () => {
    expect(seqExpected(255, 0)).toBeUndefined();
    expect(seqExpected(7, 8)).toBeUndefined();
    expect(seqExpected(7, 7)).toBeUndefined();
    expect(seqExpected(undefined, 9)).toBeUndefined();
    expect(seqExpected(7, 10)).toBe(8);
    expect(seqExpected(255, 1)).toBe(0);
  });

  it('a DDATA whose seq skips is read, counted as seq_gap, and the edge node is asked for its births', async () => {
    const broker = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug', rebirth: true }] }), {}, track);
    await subscribed();
    const host = track.add(await connectPublisher(broker.url), (p) => p.close());
    const commands: string[] = [];
    host.client.on('message', (topic) => commands.push(topic));
    await host.client.subscribeAsync('spBv1.0/g1/NCMD/#', { qos: 0 });
    const node = track.add(await connectPublisher(broker.url), (p) => p.close());

    await node.publish('spBv1.0/g1/NBIRTH/n1', tahuPayload({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }] }), 0);
    await node.publish('spBv1.0/g1/DBIRTH/n1/d1', tahuPayload({ timestamp: T, seq: 1, metrics: [{ name: 'Temp', alias: 10, datatype: 3, intValue: 50 }] }), 0);
    await node.publish('spBv1.0/g1/DDATA/n1/d1', tahuPayload({ timestamp: T + 1, seq: 2, metrics: [{ alias: 10, intValue: 51 }] }), 0);
    // seq 3 and 4 never came (say a DBIRTH that moved alias 10 to another metric).
    await node.publish('spBv1.0/g1/DDATA/n1/d1', tahuPayload({ timestamp: T + 2, seq: 5, metrics: [{ alias: 10, intValue: 52 }] }), 0);
    await node.publish('spBv1.0/g1/DDATA/n1/d1', tahuPayload({ timestamp: T + 2, seq: 5, metrics: [{ alias: 10, intValue: 52 }] }), 0);
    await node.publish('spBv1.0/g1/DDATA/n1/d1', tahuPayload({ timestamp: T + 3, seq: 6, metrics: [{ alias: 10, intValue: 53 }] }), 0);
    await t.waitFor(() => t.valuesOf('g1.n1.d1.Temp').length === 5, 'every DATA read');
    await until(() => commands.length === 1, 'the rebirth request');

    expect(t.valuesOf('g1.n1.d1.Temp')).toEqual([50, 51, 52, 52, 53]);
    expect(commands).toEqual(['spBv1.0/g1/NCMD/n1']);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/#', kind: 'seq_gap' })).toBe(1);
    const gaps = t.problems.filter((p) => p.kind === 'report' && p.key.endsWith('.seq_gap'));
    expect(gaps.map((p) => p.message)).toEqual([
      'subscription spBv1.0/#: spBv1.0/g1/DDATA/n1/d1: DDATA from g1/n1/d1 has seq 5 where 3 was next: messages of the edge node were lost or came out of order, and a birth among them may have changed what its aliases name; read as it came, and a rebirth is requested (Node Control/Rebirth)',
    ]);
  });
});
