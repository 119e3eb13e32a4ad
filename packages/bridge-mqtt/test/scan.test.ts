import { seededRandom } from '@fieldbridge/core';
import { startCommand, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { formatTopicScan } from '../src/scan-format.js';
import { loadSparkplugCodec } from '../src/sparkplug-codec.js';
import { probeFreePort } from '../src/testing/mosquitto.js';
import { createTopicSurvey } from '../src/topic-survey.js';
import { topicLevels, topicMatches } from '../src/topic.js';
import { BIN, pasteBlock, requireBuiltCli, runCli, scanMapping } from './helpers/cli.js';
import { section } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

// `bridge-mqtt --scan`: the topics on a real broker (mosquitto), before the mapping subscribes to
// any. The messages are retained, so the broker hands them to the scan right after its SUBACK,
// seconds before the scan ends: no waiting on a publisher's timing. Sparkplug B payloads come from Eclipse Tahu's encoder.
const track = trackCleanups();
const broker = sharedMosquitto();

interface Tahu {
  encodePayload(payload: unknown): Uint8Array;
}

beforeAll(requireBuiltCli);
beforeAll(async () => {
  const publisher = await broker.publisher();
  const tahu = (await import('sparkplug-payload')).get('spBv1.0') as Tahu;
  const retained = (topic: string, payload: string | Uint8Array) => publisher.retain(topic, payload);
  for (const [line, press, value] of [['line1', 'press1', 61.5], ['line1', 'press2', 75.25], ['line2', 'oven1', 98]] as const) {
    await retained(`plant/${line}/${press}/temperature`, JSON.stringify({ sensor: { id: `T-${press}` }, reading: { value }, ts: 1_700_000_000.25 }));
    await retained(`plant/${line}/${press}/counter`, String(value * 10));
  }
  await retained('plant/line1/env', JSON.stringify({ ts: 1_700_000_000_250, t: 21.5, h: 40, door: false }));
  await retained('plant/line1/status', 'running');
  await retained('plant/line1/blob', Uint8Array.from([0xff, 0x00, 0xfe, 0x01]));
  await retained('spBv1.0/plant-a/NBIRTH/edge1', tahu.encodePayload({ timestamp: 1_700_000_000_000, seq: 0, metrics: [{ name: 'uptime_s', type: 'UInt32', value: 5 }, { name: 'cpu/temperature', type: 'Float', value: 41.5 }] }));
  // Retained messages live in the broker: they go with it, after the file's last test.
});

const run = (args: string[]) => runCli([...args, '--log-level', 'warn']);
const bare = (url: string) => scanMapping('scan-test', url);

describe('bridge-mqtt --scan', () => {
  it('lists the broker\'s topics from a mapping without subscriptions; the entries it prints, pasted, deliver', async () => {
    const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
    const refused = await run(['--config', file, '--check']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file}:4:3 mqtt.subscriptions: no subscriptions: say what to read (bridge-mqtt --scan lists the topics on the broker`);

    const { code, stdout, stderr } = await run(['--config', file, '--scan', '2s']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(new RegExp(`^10 topics heard on ${broker.url.replace(/\//g, '\\/')} below # in 2s, 10 messages:\n`));
    expect(stdout).toMatch(/^plant\/line1\/press1\/temperature +1 +yes +json +- +\$\.sensor\.id=T-press1 \$\.reading\.value=61\.5 \$\.ts=1700000000\.25$/m);
    expect(stdout).toMatch(/^plant\/line2\/oven1\/counter +1 +yes +number +- +980$/m);
    expect(stdout).toMatch(/^plant\/line1\/status +1 +yes +text +- +running$/m);
    expect(stdout).toMatch(/^plant\/line1\/blob +1 +yes +binary +- +4 bytes$/m);
    expect(stdout).toMatch(/^spBv1\.0\/plant-a\/NBIRTH\/edge1 +1 +yes +sparkplug +- +uptime_s, cpu\/temperature$/m);

    const subscriptions = (parse(pasteBlock(stdout)) as { subscriptions: Record<string, unknown>[] }).subscriptions;
    expect(subscriptions).toHaveLength(5);
    expect(subscriptions).toEqual(expect.arrayContaining([
      { topic: 'spBv1.0/plant-a/#', format: 'sparkplug' },
      { topic: 'plant/+/+/counter', format: 'number', metric: 'plant.{topic.1}.{topic.2}.counter' },
      { topic: 'plant/line1/env', metric: 'plant.line1.env.{field}', timestamp: { path: '$.ts', unit: 'ms' }, fields: { t: '$.t', h: '$.h', door: { value: '$.door', type: 'boolean' } } },
      { topic: 'plant/line1/status', format: 'text', metric: 'plant.line1.status' },
      { topic: 'plant/+/+/temperature', metric: 'plant.{topic.1}.{topic.2}.temperature', value: '$.reading.value', timestamp: { path: '$.ts', unit: 's' } },
    ]));

    // Pasted under mqtt:, the file passes --check, and a run turns the retained messages into
    // points with the names and values written above (times converted by hand: 1700000000.25 s).
    const pasted = await writeTempFile(track, 'pasted.yaml', `${bare(broker.url)}${pasteBlock(stdout).replace(/^(?=.)/gm, '  ')}`);
    expect((await run(['--config', pasted, '--check'])).code).toBe(0);
    const once = await run(['--config', pasted, '--dry-run', '--once']);
    expect(once.code, once.stderr).toBe(0);
    const points = once.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown; timestamp: number });
    const byMetric = new Map(points.map((p) => [p.metric, p]));
    expect(byMetric.get('plant.line1.press2.temperature')).toMatchObject({ value: 75.25, timestamp: 1_700_000_000_250 });
    expect(byMetric.get('plant.line2.oven1.counter')).toMatchObject({ value: 980 });
    expect(byMetric.get('plant.line1.env.door')).toMatchObject({ value: false, timestamp: 1_700_000_000_250 });
    expect(byMetric.get('plant.line1.status')).toMatchObject({ value: 'running' });
    expect(byMetric.get('plant-a.edge1.cpu.temperature')).toMatchObject({ value: 41.5 });
  });

  it('shows the subscription that maps a topic already, and suggests only for the rest, below a filter', async () => {
    const file = await writeTempFile(track, 'map.yaml', `${bare(broker.url)}  subscriptions:\n    - { name: counters, topic: plant/+/+/counter, format: number, metric: 'plant.{topic.2}.parts' }\n`);
    const { code, stdout } = await run(['--config', file, '--scan', '2s', '--scan-topic', 'plant/line1/#']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^7 topics heard .* below plant\/line1\/# in 2s, 7 messages:\n/);
    expect(stdout).toMatch(/^plant\/line1\/press1\/counter +1 +yes +number +counters +615$/m);
    expect(stdout).not.toContain('spBv1.0');
    const topics = (parse(pasteBlock(stdout)) as { subscriptions: { topic: string }[] }).subscriptions.map((s) => s.topic);
    expect(topics.sort()).toEqual(['plant/line1/+/temperature', 'plant/line1/env', 'plant/line1/status']);
  });

  it('ends a long scan at Ctrl-C with its report, and exits 0', async () => {
    const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
    const scan = startCommand(BIN, ['--config', file, '--scan', '10m', '--scan-topic', 'plant/line1/status'], { track });
    await scan.said('listening on');
    scan.child.kill('SIGINT');
    expect(await scan.exited, scan.stderr()).toBe(0);
    // The retained message may have arrived or not by then: the report is there either way.
    expect(scan.stdout()).toMatch(/^[01] topics? heard on .* below plant\/line1\/status in [\d.]+m?s \(stopped early\), [01] messages?:\n/);
  });

  it('says what is wrong: a broker it cannot reach (exit 1), a duration or filter it cannot use (exit 2)', async () => {
    const down = await writeTempFile(track, 'down.yaml', bare(`mqtt://127.0.0.1:${await probeFreePort()}`));
    const unreachable = await run(['--config', down, '--scan', '1s']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^bridge-mqtt --scan: mqtt:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/m);
    const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
    const mapped = await writeTempFile(track, 'mapped.yaml', `${bare(broker.url)}  subscriptions: [{ topic: plant/#, format: text, metric: '{topic}' }]\n`);
    for (const [args, message] of [
      [['--scan', '10ms'], /^--scan 10ms: .* \(e\.g\. 30s, 2m\)$/m],
      [['--scan', '--scan-topic', 'a/#/b'], /^--scan-topic a\/#\/b: .*"#" must be a whole level and the last one/m],
      [['--scan', '--scan-topic', '$share/g/plant/#'], /^--scan-topic \$share\/g\/plant\/#: a scan listens on its own/m],
      [['--scan-topic', 'plant/#'], /^--scan-topic goes with --scan$/m],
    ] as const) {
      // Without --scan the file must be ready to run: give it a subscription.
      const refused = await run(['--config', args[0] === '--scan' ? file : mapped, ...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  });
});

describe('the topic survey and its listing', () => {
  it('never throws on a payload, and keeps what it lists bounded (fuzz)', async () => {
    const random = seededRandom(0x5ca9);
    const survey = createTopicSurvey({ sparkplug: await loadSparkplugCodec(), maxTopics: 50 });
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256));
      const topic = i % 3 === 0 ? `spBv1.0/g/NDATA/n${i % 70}` : `t/${i % 90}`;
      survey.message(topic, i % 500 === 0 ? Buffer.from(deep) : bytes, false);
    }
    survey.message('t/big', Buffer.alloc(1024 * 1024, 0x7b), false);
    const result = survey.result();
    expect(result.topics).toHaveLength(50);
    expect(result.messages).toBe(3001);
    expect(result.notListed).toBeGreaterThan(0);
    for (const t of result.topics) expect(t.fields.length + t.sparkplugMetrics.length).toBeLessThanOrEqual(32);
    expect(() => formatTopicScan(result, 'in a test')).not.toThrow();
  });

  it('never suggests a filter that would also take another topic heard: a broker would deliver it twice', () => {
    const survey = createTopicSurvey({ subscriptions: [{ name: 'plant/line1/press1/counter', topic: 'plant/line1/press1/counter' }] });
    const say = (topic: string, payload: string) => survey.message(topic, Buffer.from(payload), true);
    say('plant/line1/env', '{"t": 21.5, "h": 40}');
    say('plant/line1/status', 'running');
    say('plant/line1/garbage', '{not json');
    say('plant/line1/nested', '{"a": {"b": 1}}');
    // Two presses of a line: one mapped already, so plant/+/+/counter would take it a second time.
    say('plant/line1/press1/counter', '17');
    say('plant/line2/press2/counter', '18');
    // Two lines of the same kind, and nothing else of their shape: one filter for both.
    say('hall/a/temperature', '20.5');
    say('hall/b/temperature', '21');
    const entries = (parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: { topic: string }[] }).subscriptions;
    expect(entries.map((e) => e.topic).sort()).toEqual(['hall/+/temperature', 'plant/line1/env', 'plant/line1/garbage', 'plant/line1/nested', 'plant/line1/status', 'plant/line2/press2/counter']);
  });

  it('shows a JSON integer beyond 2^53 with every digit, as a run reads it, and a 64-bit id as an identifier, not a value', () => {
    const survey = createTopicSurvey();
    survey.message('meters/m1', Buffer.from('{"id": 18446744073709551615, "energy_wh": 9007199254740993, "t": 21.5}'), true);
    const [topic] = survey.result().topics;
    expect(topic!.fields.map((f) => [f.path, f.kind, f.sample, f.identifier === true, f.unfit])).toEqual([
      ['$.id', 'number', '18446744073709551615', true, undefined],
      ['$.energy_wh', 'number', '9007199254740993', false, undefined],
      ['$.t', 'number', '21.5', false, undefined],
    ]);
  });

  it('devices of several models below one prefix are one entry, each value optional where a model lacks it; not when a value reads differently or the filter takes another topic', () => {
    const entries = (say: (survey: ReturnType<typeof createTopicSurvey>) => void, mapped: { name: string; topic: string }[] = []) => {
      const survey = createTopicSurvey({ subscriptions: mapped });
      say(survey);
      return (parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] }).subscriptions;
    };
    const fleet = (survey: ReturnType<typeof createTopicSurvey>) => {
      for (const room of ['bath', 'hall', 'kitchen']) survey.message(`z2m/${room}_sensor`, Buffer.from('{"temperature": 21.5, "humidity": 40, "battery": 90, "ts": 1700000000}'), true);
      for (const plug of ['tv', 'fridge']) survey.message(`z2m/${plug}_plug`, Buffer.from('{"power": 12.5, "state": "ON", "ts": 1700000001}'), true);
      survey.message('z2m/front_door', Buffer.from('{"contact": true, "battery": 80}'), true);
    };
    expect(entries(fleet)).toEqual([
      {
        topic: 'z2m/+',
        metric: 'z2m.{topic.1}.{field}',
        fields: {
          temperature: { value: '$.temperature', optional: true },
          humidity: { value: '$.humidity', optional: true },
          battery: { value: '$.battery', optional: true },
          power: { value: '$.power', optional: true },
          state: { value: '$.state', type: 'boolean', optional: true },
          contact: { value: '$.contact', type: 'boolean', optional: true },
        },
      },
    ]);
    // ts is in two models of three: no timestamp (the door's points would have none to read).
    const clash = entries((survey) => {
      fleet(survey);
      survey.message('z2m/boiler', Buffer.from('{"power": "high", "water_temperature": 55}'), true);
    });
    // A value that is a number in one model and a word in another: an entry per device, as before.
    expect(clash.map((e) => e.topic).sort()).toEqual(['z2m/bath_sensor', 'z2m/boiler', 'z2m/fridge_plug', 'z2m/front_door', 'z2m/hall_sensor', 'z2m/kitchen_sensor', 'z2m/tv_plug']);
    // One device mapped already: z2m/+ would take it a second time.
    expect(entries(fleet, [{ name: 'door', topic: 'z2m/front_door' }]).some((e) => e.topic === 'z2m/+')).toBe(false);
  });

  // Shelly Gen1 publishes a topic per value: an H&T's three sensors were three entries because a
  // door sensor's state (a word) kept shellies/+/sensor/+ from taking them, not one entry per device.
  it('a group that cannot be one filter is split by its first differing level, not into single topics', () => {
    const survey = createTopicSurvey();
    const say = (topic: string, payload: string) => survey.message(topic, Buffer.from(payload), false);
    for (const [sensor, value] of [['temperature', '21.50'], ['humidity', '45.0'], ['battery', '98']] as const) say(`shellies/shellyht-AABBCC/sensor/${sensor}`, value);
    say('shellies/shellydw2-112233/sensor/lux', '120');
    say('shellies/shellydw2-112233/sensor/state', 'open');
    const entries = (parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: { topic: string; metric: string }[] }).subscriptions;
    expect(entries.filter((e) => !e.topic.endsWith('/state')).map((e) => [e.topic, e.metric])).toEqual([
      ['shellies/shellydw2-112233/sensor/lux', 'shellies.shellydw2-112233.sensor.lux'],
      ['shellies/shellyht-AABBCC/sensor/+', 'shellies.shellyht-AABBCC.sensor.{topic.3}'],
    ]);
  });

  it('never suggests a filter of wildcards only: topics that share no level get one subscription each', () => {
    const survey = createTopicSurvey();
    survey.message('bad/json', Buffer.from('{not json'), true);
    survey.message('txt/status', Buffer.from('running'), true);
    survey.message('a', Buffer.from('1'), false);
    survey.message('b', Buffer.from('2'), false);
    survey.message('hall/a/temperature', Buffer.from('20.5'), false);
    survey.message('hall/b/temperature', Buffer.from('21'), false);
    const entries = (parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: { topic: string }[] }).subscriptions;
    expect(entries.map((e) => e.topic).sort()).toEqual(['a', 'b', 'bad/json', 'hall/+/temperature', 'txt/status']);
  });

  it('suggests only values that decode to points: array elements named by their array, no number too large for one', () => {
    const survey = createTopicSurvey();
    const heard: Record<string, string> = {
      'dev/d1/multi': '{"arr": [1, 2], "big": 1e400, "sensors": [{"t": 20.5}, {"t": 21}], "ok": true}',
      'dev/d1/list': '[3, 4]',
      'dev/d1/huge': '1e400',
    };
    for (const [topic, payload] of Object.entries(heard)) survey.message(topic, Buffer.from(payload), true);
    const out = formatTopicScan(survey.result(), 'in a test');
    expect(out).toMatch(/^dev\/d1\/multi +1 +yes +json +- +\$\.arr\[0\]=1 \$\.arr\[1\]=2 \$\.big=Infinity /m);
    const { subscriptions } = parse(pasteBlock(out)) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual(expect.arrayContaining([
      { topic: 'dev/d1/multi', metric: 'dev.d1.multi.{field}', fields: { arr_0: '$.arr[0]', arr_1: '$.arr[1]', sensors_0_t: '$.sensors[0].t', sensors_1_t: '$.sensors[1].t', ok: { value: '$.ok', type: 'boolean' } } },
      { topic: 'dev/d1/list', metric: 'dev.d1.list.{field}', fields: { item_0: '$[0]', item_1: '$[1]' } },
    ]));
    expect(subscriptions).toHaveLength(2);
    // A bare number too large for one is a number (not text), listed with the JSON values no point carries.
    expect(out).toMatch(/^dev\/d1\/huge +1 +yes +number +- +1e400$/m);
    expect(out).toContain('# not suggested, as no point can carry them:\n#   dev/d1/huge: too large for a number: it reads as Infinity\n#   dev/d1/multi $.big: too large for a number: it reads as Infinity\n');
    // Pasted, every entry decodes what was heard without a problem.
    const subs = resolveSubscriptions(section({ url: 'mqtt://x', subscriptions }));
    for (const [topic, payload] of Object.entries(heard)) {
      if (topic === 'dev/d1/huge') continue;
      const sub = subs.find((s) => topicMatches(s.topic, topicLevels(topic)))!;
      const decoded = decodeMessage(sub, { topic, payload: Buffer.from(payload), receivedAtMs: 1_800_000_000_000 });
      expect(decoded.problems, topic).toEqual([]);
      expect(decoded.points.length, topic).toBeGreaterThan(0);
    }
  });

  it('suggests switch states published as words (Zigbee2MQTT, Tasmota) as booleans, which pasted entries read', () => {
    const survey = createTopicSurvey();
    const heard: Record<string, string> = {
      'zigbee2mqtt/plug1': '{"state": "ON", "power": 5.5, "update": {"state": "idle"}}',
      'tele/sonoff1/STATE': '{"Time": "2024-01-01T12:00:00", "POWER": "off"}',
    };
    for (const [topic, payload] of Object.entries(heard)) survey.message(topic, Buffer.from(payload), true);
    const { subscriptions } = parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual([
      { topic: 'tele/sonoff1/STATE', metric: 'tele.sonoff1.STATE', value: '$.POWER', type: 'boolean', timestamp: { path: '$.Time', time_zone: 'local' } },
      { topic: 'zigbee2mqtt/plug1', metric: 'zigbee2mqtt.plug1.{field}', fields: { state: { value: '$.state', type: 'boolean' }, power: '$.power' } },
    ]);
    const subs = resolveSubscriptions(section({ url: 'mqtt://x', subscriptions }));
    const values = Object.entries(heard).flatMap(([topic, payload]) => {
      const sub = subs.find((s) => topicMatches(s.topic, topicLevels(topic)))!;
      const decoded = decodeMessage(sub, { topic, payload: Buffer.from(payload), receivedAtMs: 1_800_000_000_000 });
      expect(decoded.problems, topic).toEqual([]);
      return decoded.points.map((p) => [p.metric, p.value]);
    });
    expect(values).toEqual([['zigbee2mqtt.plug1.state', true], ['zigbee2mqtt.plug1.power', 5.5], ['tele.sonoff1.STATE', false]]);
  });

  it('suggests a topic again once its last bare number fits a point', () => {
    const survey = createTopicSurvey();
    survey.message('dev/d2/level', Buffer.from('-1e400'), false);
    expect(formatTopicScan(survey.result(), 'in a test')).toContain('#   dev/d2/level: too large for a number: it reads as -Infinity\n');
    survey.message('dev/d2/level', Buffer.from('12.5'), false);
    const out = formatTopicScan(survey.result(), 'in a test');
    expect(out).not.toContain('not suggested');
    expect((parse(pasteBlock(out)) as { subscriptions: unknown[] }).subscriptions).toEqual([{ topic: 'dev/d2/level', format: 'number', metric: 'dev.d2.level' }]);
  });

  it('quotes only what a YAML reader would misread: awkward topics and field names read back the same, and the pasted entries pass --check', async () => {
    const survey = createTopicSurvey();
    const words = ['on', 'no', 'ON', '1e3', '0x1F', 'null'];
    for (const [i, word] of words.entries()) survey.message(word, Buffer.from(String(i)), true);
    survey.message('site/a: b/&anchor', Buffer.from('7'), true);
    const payload = '{"on": 1, "no": 2, "1e3": 3, "0x1F": 4, "true": 5, "null": 6, "a: b": 7, "*star": 8, "!bang": true}';
    survey.message('zigbee/awkward', Buffer.from(payload), true);
    const out = formatTopicScan(survey.result(), 'in a test');
    // YAML 1.1's boolean words are quoted, so every YAML reader takes them as text.
    expect(out).toContain('  - { topic: "on", format: number, metric: "on" }\n');
    expect(out).toContain('  - { topic: "1e3", format: number, metric: "1e3" }\n');
    expect(out).toContain('      "1e3": $.1e3\n');
    const { subscriptions } = parse(pasteBlock(out)) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual(expect.arrayContaining([
      ...words.map((word) => ({ topic: word, format: 'number', metric: word })),
      { topic: 'site/a: b/&anchor', format: 'number', metric: 'site.a_b._anchor' },
      { topic: 'zigbee/awkward', metric: 'zigbee.awkward.{field}', fields: { on: '$.on', no: '$.no', '1e3': '$.1e3', '0x1F': '$.0x1F', true: '$.true', null: '$.null', a_b: "$['a: b']", _star: '$.*star', _bang: { value: '$.!bang', type: 'boolean' } } },
    ]));
    expect(subscriptions).toHaveLength(words.length + 2);
    const pasted = await writeTempFile(track, 'awkward.yaml', `${bare('mqtt://127.0.0.1:1883')}${pasteBlock(out).replace(/^(?=.)/gm, '  ')}`);
    const checked = await run(['--config', pasted, '--check']);
    expect(checked.code, checked.stderr).toBe(0);
    // Read back, the fields decode the payload under their names.
    const sub = resolveSubscriptions(section({ url: 'mqtt://x', subscriptions })).find((s) => topicMatches(s.topic, topicLevels('zigbee/awkward')))!;
    const decoded = decodeMessage(sub, { topic: 'zigbee/awkward', payload: Buffer.from(payload), receivedAtMs: 1_800_000_000_000 });
    expect(decoded.points.map((p) => [p.metric, p.value])).toEqual([
      ['zigbee.awkward.on', 1], ['zigbee.awkward.no', 2], ['zigbee.awkward.1e3', 3], ['zigbee.awkward.0x1F', 4], ['zigbee.awkward.true', 5], ['zigbee.awkward.null', 6], ['zigbee.awkward.a_b', 7], ['zigbee.awkward._star', 8], ['zigbee.awkward._bang', true],
    ]);
  });

  it('a hostile topic or payload stays on its line in the listing, and the entries stay YAML that names it whole', () => {
    const survey = createTopicSurvey();
    const topic = 'site/a\nb: "x"/{evil}';
    survey.message(topic, Buffer.from('{"v\\n": 1}'), false);
    const out = formatTopicScan(survey.result(), 'in a test');
    expect(out.split('\n').filter((l) => l.startsWith('site/'))).toHaveLength(1);
    const entries = (parse(pasteBlock(out)) as { subscriptions: { topic: string; metric: string; value: string }[] }).subscriptions;
    expect(entries).toEqual([{ topic, metric: 'site.a_b_x_._evil_', value: "$['v\n']" }]);
  });
});
