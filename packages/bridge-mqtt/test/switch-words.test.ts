import { startCommand, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatTopicScan } from '../src/scan-format.js';
import { createTopicSurvey } from '../src/topic-survey.js';
import { BIN, pasteBlock, requireBuiltCli, runCli, scanMapping } from './helpers/cli.js';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

// Words a device sends for its states that the bridge cannot guess (Shelly's door/window sensor
// `open`/`close`, a leak sensor's `wet`/`dry`), named with payload_on / payload_off as Home
// Assistant's MQTT binary_sensor names them; and --scan proposing them. Real mosquitto.
const track = trackCleanups();
const broker = sharedMosquitto();
beforeAll(requireBuiltCli);

describe('payload_on / payload_off', () => {
  it('read the named words, in any case, besides the built-in ones, for a bare payload and a JSON field; another word is refused naming them', async () => {
    const doors = 'door sensors';
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        subscriptions: [
          { name: doors, topic: 'sw3/shellies/+/sensor/state', format: 'boolean', metric: 'door.{topic.2}.open', payload_on: 'open', payload_off: ['close', 'closed'] },
          { topic: 'sw3/leak/+', metric: 'leak.{topic.2}.{field}', fields: { water: { value: '$.water', type: 'boolean', payload_on: 'wet', payload_off: 'dry' }, battery: '$.battery' } },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = await broker.publisher(track);
    for (const word of ['open', ' CLOSE\n', 'Closed', 'on', 'ajar']) await pub.publish('sw3/shellies/dw1/sensor/state', word);
    for (const [water, battery] of [['WET', 90], ['dry', 89], [false, 88]]) await pub.publish('sw3/leak/l1', JSON.stringify({ water, battery }));
    await t.waitFor(() => t.points.length === 10, 'ten points');

    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['door.dw1.open', true],
      ['door.dw1.open', false],
      ['door.dw1.open', false],
      ['door.dw1.open', true],
      ['leak.l1.water', true],
      ['leak.l1.battery', 90],
      ['leak.l1.water', false],
      ['leak.l1.battery', 89],
      ['leak.l1.water', false],
      ['leak.l1.battery', 88],
    ]);
    expect(await t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: doors, kind: 'wrong_type' })).toBe(1);
    expect(t.problems.find((p) => p.key === `mqtt.boolean.${doors}`)?.message).toBe(
      `subscription ${doors}: sw3/shellies/dw1/sensor/state: the payload "ajar" is not a switch state: this subscription reads open (payload_on), close/closed (payload_off), and on/off, true/false and 1/0, in any case`,
    );
  });
});

describe('--scan and words it does not know', () => {
  it('proposes format boolean with payload_on / payload_off for a topic that sent only two words, saying which is which is a guess; pasted, the entries read them', async () => {
    const pub = await broker.publisher(track);
    const file = await writeTempFile(track, 'map.yaml', scanMapping('words-test', broker.url));
    // Both words of a topic must reach the scan, so they are published while it listens (retained
    // too, for the --once below to read the last).
    const scan = startCommand(BIN, ['--config', file, '--scan', '5s', '--scan-topic', 'sw4/#'], { track });
    await scan.said('listening on');
    for (const [topic, payload] of [
      ['sw4/shellies/dw1/sensor/state', 'open'],
      ['sw4/shellies/dw1/sensor/state', 'close'],
      ['sw4/shellies/dw2/sensor/state', 'OPEN'],
      ['sw4/shellies/dw2/sensor/state', 'Close'],
      ['sw4/leak/l1', 'dry'],
      ['sw4/leak/l1', 'wet'],
      ['sw4/status', 'running'],
      ['sw4/status', 'idle'],
      ['sw4/status', 'stopped'],
      ['sw4/relay', 'on'],
      ['sw4/relay', 'off'],
    ]) await pub.retain(topic!, payload!);
    expect(await scan.exited, scan.stderr()).toBe(0);
    const out = scan.stdout();
    expect(out).toContain("  - { topic: sw4/leak/l1, format: boolean, metric: sw4.leak.l1, payload_on: wet, payload_off: dry }  # heard only wet and dry: which one means on is a guess, swap them if dry does\n");
    const { subscriptions } = parse(pasteBlock(out)) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual([
      { topic: 'sw4/leak/l1', format: 'boolean', metric: 'sw4.leak.l1', payload_on: 'wet', payload_off: 'dry' },
      { topic: 'sw4/relay', format: 'boolean', metric: 'sw4.relay' },
      { topic: 'sw4/shellies/+/sensor/state', format: 'boolean', metric: 'sw4.shellies.{topic.2}.sensor.state', payload_on: 'open', payload_off: 'close' },
      // Three words: no switch.
      { topic: 'sw4/status', format: 'text', metric: 'sw4.status' },
    ]);

    const pasted = await writeTempFile(track, 'pasted.yaml', `${scanMapping('words-test', broker.url)}${pasteBlock(out).replace(/^(?=.)/gm, '  ')}`);
    const checked = await runCli(['--config', pasted, '--check']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain("sw4/leak/l1 (qos 1, boolean): payload as a switch state (on/off, true/false, 1/0), and wet (payload_on), dry (payload_off) -> 'sw4.leak.l1'");
    const once = await runCli(['--config', pasted, '--dry-run', '--once', '--log-level', 'warn']);
    expect(once.code, once.stderr).toBe(0);
    const points = once.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown });
    expect(Object.fromEntries(points.map((p) => [p.metric, p.value]))).toEqual({
      'sw4.leak.l1': true,
      'sw4.relay': false,
      'sw4.shellies.dw1.sensor.state': false,
      'sw4.shellies.dw2.sensor.state': false,
      'sw4.status': 'stopped',
    });
    expect(once.stderr).not.toContain('wrong_type');
  });

  it('keeps a topic as text when it sent one word, three, or a built-in one among others; with no likely word, the first heard is on', () => {
    const survey = createTopicSurvey();
    const heard: [string, string][] = [
      ['a/one', 'open'],
      ['a/three', 'up'],
      ['a/three', 'down'],
      ['a/three', 'stuck'],
      ['a/mixed', 'on'],
      ['a/mixed', 'standby'],
      ['a/pair', 'Standby'],
      ['a/pair', 'running'],
      ['a/pair', 'standby'],
    ];
    for (const [topic, payload] of heard) survey.message(topic, Buffer.from(payload), false);
    const { subscriptions } = parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions.map((s) => [s.topic, s.format, s.payload_on, s.payload_off])).toEqual([
      ['a/mixed', 'text', undefined, undefined],
      ['a/one', 'text', undefined, undefined],
      ['a/three', 'text', undefined, undefined],
      ['a/pair', 'boolean', 'Standby', 'running'],
    ]);
  });

  it('takes online for on whichever came first (Zigbee2MQTT\'s legacy availability topic), and connected likewise', () => {
    const survey = createTopicSurvey();
    for (const [topic, payload] of [
      ['zigbee2mqtt/plug1/availability', 'offline'],
      ['zigbee2mqtt/plug1/availability', 'online'],
      ['gw/link', 'disconnected'],
      ['gw/link', 'connected'],
    ] as const) survey.message(topic, Buffer.from(payload), false);
    const { subscriptions } = parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions.map((s) => [s.topic, s.payload_on, s.payload_off])).toEqual([
      ['gw/link', 'connected', 'disconnected'],
      ['zigbee2mqtt/plug1/availability', 'online', 'offline'],
    ]);
  });
});
