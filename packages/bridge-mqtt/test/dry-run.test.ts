// `--dry-run` tries a mapping out while the real bridge may be running, or away with messages
// queued for it: the dry run must neither take over its persistent session (and acknowledge what
// the broker kept for it) nor kick it off, nor change the plant by asking edge nodes for births.
import { trackCleanups, until } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { collectingLogger, section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';
import { tahuPayload } from './helpers/tahu.js';

const track = trackCleanups();
const broker = sharedMosquitto();

const counts = { topic: 'line/+/count', qos: 1, format: 'number', metric: '{topic.1}.count' } as const;
const persistent = (clientId: string) => section({ url: broker.url, client_id: clientId, clean: false, reconnect: { initial_ms: 20, max_ms: 100 }, subscriptions: [counts] });

describe('a dry run of a mapping with a persistent session', () => {
  it('leaves the messages queued for the bridge to the bridge, and says so', async () => {
    const config = persistent('fb-dry-queued');
    // The bridge's session: subscribed, then away while messages are queued in it.
    const bridge = await startSource(config);
    await bridge.subscribed();
    await bridge.source.stop();
    const pub = await broker.publisher(track);
    for (let i = 0; i < 5; i++) await pub.publish('line/a/count', String(i), 1);

    const log = collectingLogger();
    const dry = await startSource(config, {}, track, undefined, { dryRun: true, logger: log.logger });
    await dry.subscribed();
    await pub.publish('line/a/count', '100', 1);
    await dry.t.waitFor(() => dry.t.points.length > 0, 'the live message');
    await dry.source.stop();
    expect(dry.t.points.map((p) => p.value)).toEqual([100]);
    const lines = log.lines().filter((l) => l.msg.includes('dry run'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/^dry run: connecting as fieldbridge-[0-9a-f]{8}-dry-run with a clean session, not as fb-dry-queued \(clean: false\): that persistent session, and the messages the broker queued in it, stay untouched for the bridge \(so sessionPresent is false\)$/);

    // The bridge, back: every message queued while it was away, the live one too, exactly once.
    const back = await startSource(config, {}, track);
    await back.subscribed();
    await back.t.waitFor(() => back.t.points.length >= 6, 'every queued message');
    expect(back.t.points.map((p) => p.value)).toEqual([0, 1, 2, 3, 4, 100]);
  });

  it('does not kick a running bridge off its client id', async () => {
    const config = persistent('fb-dry-running');
    const bridge = await startSource(config, {}, track);
    await bridge.subscribed();
    const dry = await startSource(config, {}, track, undefined, { dryRun: true });
    await dry.subscribed();
    const pub = await broker.publisher(track);
    await pub.publish('line/b/count', '7', 1);
    await bridge.t.waitFor(() => bridge.t.points.length > 0, 'the bridge to take the message');
    await dry.t.waitFor(() => dry.t.points.length > 0, 'the dry run to take it too');
    await dry.source.stop();
    expect(bridge.t.points.map((p) => p.value)).toEqual([7]);
    expect(dry.t.points.map((p) => p.value)).toEqual([7]);
    expect(bridge.t.states.filter((s) => s.state !== 'connecting' && s.state !== 'connected')).toEqual([]);
  });
});

describe('a dry run of Sparkplug B with rebirth: true', () => {
  it('asks no edge node for its births, and says so', async () => {
    const host = await broker.publisher(track);
    const commands: string[] = [];
    host.client.on('message', (topic) => commands.push(topic));
    await host.client.subscribeAsync(['spBv1.0/g1/NCMD/#', 'marker'], { qos: 1 });
    const node = await broker.publisher(track);
    const data = tahuPayload({ timestamp: 1_700_000_000_000, seq: 1, metrics: [{ alias: 10, intValue: 60 }] });
    const mapping = section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/g1/#', format: 'sparkplug', rebirth: true }] });

    const log = collectingLogger();
    const dry = await startSource(mapping, {}, track, undefined, { dryRun: true, logger: log.logger });
    await dry.subscribed();
    await node.publish('spBv1.0/g1/NDATA/n1', data, 1);
    await dry.t.waitFor(() => dry.t.problems.some((p) => p.key.endsWith('.unknown_alias')), 'the unknown alias');
    await dry.source.stop();
    // Whatever the dry run published went before its DISCONNECT: the marker comes after it.
    await host.publish('marker', 'after the dry run', 1);
    await until(() => commands.includes('marker'), 'the marker');
    expect(commands).toEqual(['marker']);
    expect(await dry.t.metric('fieldbridge_mqtt_sparkplug_rebirths_total', {})).toBe(0);
    expect(dry.t.problems.find((p) => p.key.endsWith('.unknown_alias'))?.message).toMatch(/no rebirth is requested in a dry run/);
    expect(log.lines().filter((l) => l.msg.startsWith('dry run: connecting')).map((l) => l.msg)).toEqual([expect.stringMatching(/with a clean session; no Sparkplug rebirth requests \(NCMD\) are sent to edge nodes$/)]);

    // The same mapping run for real asks, as it should.
    const bridge = await startSource(mapping, {}, track);
    await bridge.subscribed();
    await node.publish('spBv1.0/g1/NDATA/n1', data, 1);
    await until(() => commands.length === 2, 'the rebirth request of the bridge');
    expect(commands).toEqual(['marker', 'spBv1.0/g1/NCMD/n1']);
  });

  it('ends by saying what it saw of edge nodes born before it, why none of it was decoded, and what would show it', async () => {
    const node = await broker.publisher(track);
    const data = (seq: number) => tahuPayload({ timestamp: 1_700_000_000_000 + seq, seq, metrics: [{ alias: 10, intValue: seq }] });
    const birth = tahuPayload({ timestamp: 1_700_000_000_000, seq: 0, metrics: [{ name: 'bdSeq', datatype: 8, longValue: 0 }, { name: 'Temp', alias: 10, datatype: 3, intValue: 50 }] });
    const log = collectingLogger();
    const dry = await startSource(section({ url: broker.url, subscriptions: [{ topic: 'spBv1.0/g2/#', format: 'sparkplug', rebirth: true }] }), {}, track, undefined, { dryRun: true, logger: log.logger });
    await dry.subscribed();
    // n1 was born before the dry run; n2 is born while it runs, after DATA it could not read.
    await node.publish('spBv1.0/g2/NDATA/n1', data(1), 1);
    await node.publish('spBv1.0/g2/DDATA/n1/d1', data(2), 1);
    await node.publish('spBv1.0/g2/NDATA/n2', data(1), 1);
    await node.publish('spBv1.0/g2/NBIRTH/n2', birth, 1);
    await node.publish('spBv1.0/g2/NDATA/n2', data(2), 1);
    await dry.t.waitFor(() => dry.t.valuesOf('g2.n2.Temp').length === 2, "n2's birth and its DATA read by alias");
    await dry.source.stop();

    expect(log.lines().filter((l) => l.level === 40 && l.msg.startsWith('dry run:')).map((l) => l.msg)).toEqual([
      'dry run: 2 Sparkplug DATA messages of edge node g2/n1 came on spBv1.0/g2/#, but no birth of it (none is retained at the broker either): ' +
        'DATA names metrics by aliases that only the births define, and a dry run asks no edge node for its births (a rebirth request would make it publish them to every host on the broker), so none of it was decoded. ' +
        'To see its data: keep the dry run going until the edge node publishes its births (it does when it reconnects; with --once, a longer --once-timeout waits for them), or run the bridge without --dry-run, which asks for them (rebirth: true)',
    ]);
  });
});
