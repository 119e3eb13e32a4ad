import { trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { formatTopicScan } from '../src/scan-format.js';
import { createTopicSurvey } from '../src/topic-survey.js';
import { topicLevels, topicMatches } from '../src/topic.js';
import { pasteBlock, requireBuiltCli, runCli, scanMapping } from './helpers/cli.js';
import { section } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

// `--scan` of payloads that carry the device's own time under names other than `ts`: Zigbee2MQTT's
// `last_seen` (ISO 8601 in UTC or with the local offset, or epoch ms, by its `advanced.last_seen`
// setting), and gateways that quote every value. Through a real broker (mosquitto), retained, so
// the broker hands them to the scan and to --once right after their SUBACK.
const track = trackCleanups();
const broker = sharedMosquitto();
beforeAll(requireBuiltCli);

const run = (args: string[]) => runCli([...args, '--log-level', 'warn']);
const bare = (url: string) => scanMapping('device-times', url);

interface OutPoint {
  metric: string;
  value: unknown;
  timestamp: number;
}

/** Runs the pasted entries once (`--dry-run --once`) and returns the points by metric. */
async function runPasted(yaml: string): Promise<Map<string, OutPoint>> {
  const pasted = await writeTempFile(track, 'pasted.yaml', `${bare(broker.url)}${yaml.replace(/^(?=.)/gm, '  ')}`);
  const checked = await run(['--config', pasted, '--check']);
  expect(checked.code, checked.stderr).toBe(0);
  const once = await run(['--config', pasted, '--dry-run', '--once']);
  expect(once.code, once.stderr).toBe(0);
  expect(once.stderr).not.toMatch(/bad_timestamp|wrong_type|not_a_number/);
  const points = once.stdout.trim().split('\n').map((l) => JSON.parse(l) as OutPoint);
  return new Map(points.map((p) => [p.metric, p]));
}

describe('--scan proposes the device\'s own time as the timestamp', () => {
  it('takes Zigbee2MQTT\'s last_seen (ISO 8601 in UTC, with the local offset, or epoch ms) as the timestamp, linkquality as a value; pasted, the points carry the device\'s time', async () => {
    const pub = await broker.publisher(track);
    // As Zigbee2MQTT publishes them (keys in its order), with advanced.last_seen ISO_8601, epoch and ISO_8601_local.
    await pub.retain('zigbee2mqtt/kitchen_th', '{"battery":97,"humidity":61.85,"last_seen":"2024-01-01T18:10:43.378Z","linkquality":204,"temperature":19.34,"voltage":2995}');
    await pub.retain('zigbee2mqtt/hall_plug', '{"current":0,"energy":73.75,"last_seen":1704132638000,"linkquality":180,"power":5,"state":"ON","voltage":230}');
    await pub.retain('zigbee2mqtt/porch_door', '{"battery":100,"contact":true,"last_seen":"2024-01-01T19:10:50+01:00","linkquality":164,"voltage":3005}');
    await pub.retain('zigbee2mqtt/bridge/state', '{"state":"online"}');

    const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
    const scan = await run(['--config', file, '--scan', '2s', '--scan-topic', 'zigbee2mqtt/#']);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toMatch(/^zigbee2mqtt\/hall_plug +1 +yes +json +- +.*\$\.last_seen=1704132638000 /m);
    expect(scan.stdout).toContain('    timestamp: { path: $.last_seen, unit: ms }\n');
    const { subscriptions } = parse(pasteBlock(scan.stdout)) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual([
      {
        topic: 'zigbee2mqtt/hall_plug',
        metric: 'zigbee2mqtt.hall_plug.{field}',
        timestamp: { path: '$.last_seen', unit: 'ms' },
        fields: { current: '$.current', energy: '$.energy', linkquality: '$.linkquality', power: '$.power', state: { value: '$.state', type: 'boolean' }, voltage: '$.voltage' },
      },
      {
        topic: 'zigbee2mqtt/kitchen_th',
        metric: 'zigbee2mqtt.kitchen_th.{field}',
        timestamp: { path: '$.last_seen', unit: 'iso8601' },
        fields: { battery: '$.battery', humidity: '$.humidity', linkquality: '$.linkquality', temperature: '$.temperature', voltage: '$.voltage' },
      },
      {
        topic: 'zigbee2mqtt/porch_door',
        metric: 'zigbee2mqtt.porch_door.{field}',
        timestamp: { path: '$.last_seen', unit: 'iso8601' },
        fields: { battery: '$.battery', contact: { value: '$.contact', type: 'boolean' }, linkquality: '$.linkquality', voltage: '$.voltage' },
      },
    ]);

    const byMetric = await runPasted(pasteBlock(scan.stdout));
    const at = (metric: string) => {
      const p = byMetric.get(metric);
      return p && [p.value, new Date(p.timestamp).toISOString()];
    };
    expect(at('zigbee2mqtt.kitchen_th.temperature')).toEqual([19.34, '2024-01-01T18:10:43.378Z']);
    expect(at('zigbee2mqtt.hall_plug.linkquality')).toEqual([180, '2024-01-01T18:10:38.000Z']);
    expect(at('zigbee2mqtt.hall_plug.state')).toEqual([true, '2024-01-01T18:10:38.000Z']);
    expect(at('zigbee2mqtt.porch_door.contact')).toEqual([true, '2024-01-01T18:10:50.000Z']);
    expect([...byMetric.keys()].filter((m) => m.includes('last_seen'))).toEqual([]);
  });

  it('reads a gateway that quotes every value: numbers in strings are values, a quoted epoch the timestamp, and type boolean reads "1"/"0"', async () => {
    const pub = await broker.publisher(track);
    await pub.retain('gw/room1', '{"temperature":"21.5","humidity":"40","occupied":"1","id":"A-1","ts":"1704132638"}');
    await pub.retain('gw/room2', '{"temperature":"19","humidity":"55.5","occupied":"0","id":"A-2","ts":"1704132640"}');

    const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
    const scan = await run(['--config', file, '--scan', '2s', '--scan-topic', 'gw/#']);
    expect(scan.code, scan.stderr).toBe(0);
    const block = pasteBlock(scan.stdout);
    expect(parse(block)).toEqual({
      subscriptions: [
        { topic: 'gw/+', metric: 'gw.{topic.1}.{field}', timestamp: { path: '$.ts', unit: 's' }, fields: { temperature: '$.temperature', humidity: '$.humidity', occupied: '$.occupied' } },
      ],
    });
    // The scan cannot tell a quoted 1/0 switch from a count: say it is a switch, and type boolean reads it.
    expect(block).toContain('      occupied: $.occupied\n');
    const byMetric = await runPasted(block.replace('occupied: $.occupied', 'occupied: { value: $.occupied, type: boolean }'));
    const at = (metric: string) => {
      const p = byMetric.get(metric);
      return p && [p.value, p.timestamp];
    };
    expect(at('gw.room1.temperature')).toEqual([21.5, 1_704_132_638_000]);
    expect(at('gw.room2.humidity')).toEqual([55.5, 1_704_132_640_000]);
    expect(at('gw.room1.occupied')).toEqual([true, 1_704_132_638_000]);
    expect(at('gw.room2.occupied')).toEqual([false, 1_704_132_640_000]);
  });
});

describe('the time fields the survey recognises', () => {
  /** The scan's entries for `heard` (topic -> payload), and the points they decode each payload to, without problems. */
  function suggestAndDecode(heard: Record<string, string>): { subscriptions: Record<string, unknown>[]; points: [string, unknown, number][] } {
    const survey = createTopicSurvey();
    for (const [topic, payload] of Object.entries(heard)) survey.message(topic, Buffer.from(payload), false);
    const { subscriptions } = parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] };
    const subs = resolveSubscriptions(section({ url: 'mqtt://x', subscriptions }));
    const points = Object.entries(heard).flatMap(([topic, payload]) => {
      const sub = subs.find((s) => topicMatches(s.topic, topicLevels(topic)))!;
      const decoded = decodeMessage(sub, { topic, payload: Buffer.from(payload), receivedAtMs: 1_800_000_000_000 });
      expect(decoded.problems, topic).toEqual([]);
      return decoded.points.map((p): [string, unknown, number] => [p.metric, p.value, p.timestamp!]);
    });
    return { subscriptions, points };
  }

  it('knows last_seen however it is written (lastSeen, LastSeen, last-seen), Shelly\'s unixtime, and epochs in µs; the older Zigbee2MQTT offset +0100 reads', () => {
    const { subscriptions, points } = suggestAndDecode({
      'a/camel': '{"lastSeen": 1704132638000, "rssi": -60}',
      'b/pascal': '{"LastSeen": "2024-01-01T19:10:38.941+0100", "level": 3}',
      'c/kebab': '{"last-seen": 1704132638, "level": 4}',
      // Shelly Gen2's status/sys: `time` is the wall clock as HH:MM, not a date: unixtime is the time.
      'd/shelly/status/sys': '{"mac": "A8032ABE54DC", "time": "19:10", "unixtime": 1704132638, "uptime": 1234}',
      'e/micros': '{"ts": 1704132638000000, "v": 1}',
    });
    expect(subscriptions).toEqual([
      { topic: 'a/camel', metric: 'a.camel', value: '$.rssi', timestamp: { path: '$.lastSeen', unit: 'ms' } },
      { topic: 'b/pascal', metric: 'b.pascal', value: '$.level', timestamp: { path: '$.LastSeen', unit: 'iso8601' } },
      { topic: 'c/kebab', metric: 'c.kebab', value: '$.level', timestamp: { path: '$.last-seen', unit: 's' } },
      { topic: 'd/shelly/status/sys', metric: 'd.shelly.status.sys', value: '$.uptime', timestamp: { path: '$.unixtime', unit: 's' } },
      { topic: 'e/micros', metric: 'e.micros', value: '$.v', timestamp: { path: '$.ts', unit: 'us' } },
    ]);
    expect(points).toEqual([
      ['a.camel', -60, 1_704_132_638_000],
      ['b.pascal', 3, 1_704_132_638_941],
      ['c.kebab', 4, 1_704_132_638_000],
      ['d.shelly.status.sys', 1234, 1_704_132_638_000],
      ['e.micros', 1, 1_704_132_638_000],
    ]);
  });

  it('a number named as a time that is no time (a duration, a count) is a value, never a timestamp refused at every message', () => {
    const { subscriptions, points } = suggestAndDecode({ 'f/timer': '{"time": 35, "t": 20.5}' });
    expect(subscriptions).toEqual([{ topic: 'f/timer', metric: 'f.timer.{field}', fields: { time: '$.time', t: '$.t' } }]);
    expect(points).toEqual([['f.timer.time', 35, 1_800_000_000_000], ['f.timer.t', 20.5, 1_800_000_000_000]]);
  });
});

describe('numbers a scan proposes as values', () => {
  it('not an identifier: a quoted id, serial, address or device_id, nor digits with a leading zero', () => {
    const survey = createTopicSurvey();
    survey.message('gw/room1', Buffer.from('{"id":"123","device_id":"884120","sensorId":"17","serial":"20231107","mac":"112233445566","code":"0042","temperature":"21.5","count":"7","paid":"3"}'), false);
    const { subscriptions } = parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual([{ topic: 'gw/room1', metric: 'gw.room1.{field}', fields: { temperature: '$.temperature', count: '$.count', paid: '$.paid' } }]);
  });

  it('nor an unquoted number under a key named as an identifier (a Shelly Gen2 switch id, a node id, a serial)', () => {
    const survey = createTopicSurvey();
    survey.message('shellyplus1pm-a8032ab12345/status/switch:0', Buffer.from('{"id":0,"source":"init","output":true,"apower":12.3,"voltage":231.4}'), false);
    survey.message('gw/node', Buffer.from('{"nodeId":3,"serial":100234,"battery":97,"paid":3}'), false);
    const { subscriptions } = parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions.map((s) => s.fields)).toEqual([
      { battery: '$.battery', paid: '$.paid' },
      { output: { type: 'boolean', value: '$.output' }, apower: '$.apower', voltage: '$.voltage' },
    ]);
  });
});
