// Sparkplug B's is_transient: a metric of interest to a host's screens that is not to be stored in a
// historian. The ingest service is a store, so such values are held back unless the mapping says
// send_transient: true, counted as suppressed (reason transient) and said once per subscription.
import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { describeSubscription } from '../src/bridge.js';
import { compileSubscription, resolveSubscriptions } from '../src/resolve.js';
import { formatTopicScan } from '../src/scan-format.js';
import { loadSparkplugCodec } from '../src/sparkplug-codec.js';
import { createTopicSurvey } from '../src/topic-survey.js';
import { startAedes } from './helpers/aedes.js';
import { connectPublisher, section, startSource } from './helpers/mqtt.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const T = 1_700_000_000_000;

/** An edge node whose birth flags Debug/Counter (alias 2) transient; its DATA carries aliases only, without the flag. */
async function publishNode(url: string, extra: Record<string, unknown> = {}): Promise<void> {
  const node = track.add(await connectPublisher(url), (p) => p.close());
  await node.publish(
    'spBv1.0/g1/NBIRTH/n1',
    tahuPayload({
      timestamp: T,
      seq: 0,
      metrics: [
        { name: 'bdSeq', datatype: 8, longValue: 0 },
        { name: 'Temp', alias: 1, timestamp: T, datatype: 3, intValue: 50 },
        { name: 'Debug/Counter', alias: 2, timestamp: T, datatype: 3, isTransient: true, intValue: 7 },
      ],
    }),
    0,
  );
  await node.publish('spBv1.0/g1/NDATA/n1', tahuPayload({ timestamp: T + 1, seq: 1, metrics: [{ alias: 1, timestamp: T + 1, intValue: 51 }, { alias: 2, timestamp: T + 1, intValue: 8 }] }), 0);
  // The same metric flagged in DATA itself, and a Template instance flagged as a whole.
  await node.publish(
    'spBv1.0/g1/NDATA/n1',
    tahuPayload({
      timestamp: T + 2,
      seq: 2,
      metrics: [
        { alias: 1, timestamp: T + 2, intValue: 52 },
        { name: 'Scratch', timestamp: T + 2, datatype: 10, isTransient: true, doubleValue: 1.5 },
        { name: 'Probe', timestamp: T + 2, datatype: 19, isTransient: true, templateValue: { templateRef: 'P', metrics: [{ name: 'A', datatype: 3, intValue: 1 }, { name: 'B', datatype: 3, intValue: 2 }] } },
        ...(extra.last ? [extra.last] : []),
      ],
    }),
    0,
  );
}

describe('Sparkplug B metrics flagged is_transient', () => {
  it('are not sent by default: counted as suppressed (transient), said once, the other metrics sent', async () => {
    const broker = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug' }] }), {}, track);
    await subscribed();
    await publishNode(broker.url);
    await t.waitFor(() => t.valuesOf('g1.n1.Temp').length === 3, 'the three messages read');

    expect(t.valuesOf('g1.n1.Temp')).toEqual([50, 51, 52]);
    expect(t.points.map((p) => p.metric).filter((m) => !m.endsWith('.Temp') && !m.endsWith('.state'))).toEqual([]);
    // Birth 1, first DATA 1 (by the birth's flag), second DATA 1 + the instance's 2 members.
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'spBv1.0/#', reason: 'transient' })).toBe(5);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
    const said = t.logs.messages('info').filter((m) => m.includes('is_transient'));
    expect(said).toEqual([
      'subscription spBv1.0/#: spBv1.0/g1/NBIRTH/n1: Sparkplug metrics the edge node flags is_transient (Debug/Counter first) are not sent: the specification keeps them out of historians. Counted in fieldbridge_source_points_suppressed_total{reason="transient"}; set send_transient: true on this subscription to send them',
    ]);
  });

  it('are sent with send_transient: true; a DATA metric flagged is_transient: false is sent either way', async () => {
    const broker = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug', send_transient: true }] }), {}, track);
    await subscribed();
    await publishNode(broker.url);
    await t.waitFor(() => t.valuesOf('g1.n1.Temp').length === 3, 'the three messages read');

    expect(t.valuesOf('g1.n1.Debug.Counter')).toEqual([7, 8]);
    expect(t.valuesOf('g1.n1.Scratch')).toEqual([1.5]);
    expect(t.valuesOf('g1.n1.Probe.A')).toEqual([1]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'spBv1.0/#', reason: 'transient' })).toBe(0);
  });

  it('a DATA that says is_transient: false for a metric its birth flagged is sent', async () => {
    const broker = track.add(await startAedes(), (b) => b.close());
    const { t, subscribed } = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/#', format: 'sparkplug' }] }), {}, track);
    await subscribed();
    await publishNode(broker.url, { last: { alias: 2, timestamp: T + 2, isTransient: false, intValue: 9 } });
    await t.waitFor(() => t.valuesOf('g1.n1.Temp').length === 3, 'the three messages read');

    expect(t.valuesOf('g1.n1.Debug.Counter')).toEqual([9]);
  });

  it('--check says whether they are sent; send_transient is refused on other formats', () => {
    const config = section({
      url: 'mqtt://localhost',
      subscriptions: [
        { topic: 'spBv1.0/a/#', format: 'sparkplug' },
        { topic: 'spBv1.0/b/#', format: 'sparkplug', send_transient: true },
      ],
    });
    const [held, sent] = resolveSubscriptions(config).map(describeSubscription);
    expect(held).toContain('metrics flagged is_transient not sent (send_transient: true sends them)');
    expect(sent).toContain('metrics flagged is_transient sent too (send_transient)');
    expect(compileSubscription({ topic: 'plc/+', metric: 'x', send_transient: true }, 0).issues).toEqual([{ path: ['subscriptions', 0, 'send_transient'], message: 'send_transient applies to format sparkplug, not json' }]);
  });

  it('--scan marks them in the metrics heard and says how to send them in the entry it proposes', async () => {
    const survey = createTopicSurvey({ sparkplug: await loadSparkplugCodec() });
    const birth = { timestamp: T, seq: 0, metrics: [{ name: 'Temp', alias: 1, datatype: 3, intValue: 50 }, { name: 'Debug/Counter', alias: 2, datatype: 3, isTransient: true, intValue: 7 }] };
    survey.message('spBv1.0/g1/NBIRTH/n1', tahuPayload(birth), false);
    survey.message('spBv1.0/g2/NBIRTH/n1', tahuPayload({ ...birth, metrics: birth.metrics.slice(0, 1) }), false);
    const text = formatTopicScan(survey.result(), 'in a test');

    expect(text).toMatch(/^spBv1\.0\/g1\/NBIRTH\/n1 .* Temp, Debug\/Counter \(transient: not sent\)$/m);
    expect(text).toContain('  - { topic: spBv1.0/g1/#, format: sparkplug }  # add rebirth: true to ask edge nodes for their births when an alias is unknown; metrics flagged is_transient are not sent: add send_transient: true to send them too\n');
    expect(text).toContain('  - { topic: spBv1.0/g2/#, format: sparkplug }  # add rebirth: true to ask edge nodes for their births when an alias is unknown\n');
  });
});
