// Sparkplug B's seq: a host that sees an edge node's seq skip asks for its births again, since a
// DBIRTH among the messages it missed may have given the aliases other metrics.
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { SEQ_LATE_WINDOW, seqExpected } from '../src/_sparkplug-seq.js';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { loadSparkplugCodec } from '../src/sparkplug-codec.js';
import { SparkplugState } from '../src/sparkplug-state.js';
import { startAedes } from './helpers/aedes.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';
import { startRebirthRig } from './helpers/rebirth-rig.js';
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
    const { t, node, commands } = await startRebirthRig(track);

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

  it('two messages swapped on the way are one gap: the late one is read without counting another, and the next follows on', async () => {
    const broker = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug' }] }), {}, track);
    await subscribed();
    const node = track.add(await connectPublisher(broker.url), (p) => p.close());

    await node.publish('spBv1.0/g1/NBIRTH/n1', tahuPayload({ timestamp: T, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }, { name: 'Temp', alias: 1, datatype: 3, intValue: 50 }] }), 0);
    // As a clustered broker may deliver them: 3 before 2.
    for (const seq of [1, 3, 2, 4, 5]) await node.publish('spBv1.0/g1/NDATA/n1', tahuPayload({ timestamp: T + seq, seq, metrics: [{ alias: 1, intValue: 50 + seq }] }), 0);
    await t.waitFor(() => t.valuesOf('g1.n1.Temp').length === 6, 'every message read');

    expect(t.valuesOf('g1.n1.Temp')).toEqual([50, 51, 53, 52, 54, 55]);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: 'spBv1.0/#', kind: 'seq_gap' })).toBe(1);
  });

  it('a seq a gap skipped is late only for a while: once the count comes round to it again it follows on, and a skip then is a gap', async () => {
    const [sub] = resolveSubscriptions(section({ url: 'mqtt://localhost', subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug' }] }));
    const context = { codec: await loadSparkplugCodec(), state: new SparkplugState() };
    const gaps: number[] = [];
    const read = (type: string, seq: number): void => {
      const result = decodeMessage(sub!, { topic: `spBv1.0/g1/${type}/n1`, payload: tahuPayload({ timestamp: T, seq, metrics: [] }), receivedAtMs: T }, context);
      if (result.problems.some((p) => p.kind === 'seq_gap')) gaps.push(seq);
    };
    read('NBIRTH', 0);
    read('NDATA', 1);
    read('NDATA', 3); // 2 skipped
    for (let seq = 4; seq < 4 + 254; seq++) read('NDATA', seq % 256); // round to 1 again, long after SEQ_LATE_WINDOW
    read('NDATA', 2); // follows on from 1: not the late 2 of the gap
    read('NDATA', 3);
    read('NDATA', 5); // 4 skipped: a gap
    expect(SEQ_LATE_WINDOW).toBeLessThan(254);
    expect(gaps).toEqual([3, 5]);
  });
});
