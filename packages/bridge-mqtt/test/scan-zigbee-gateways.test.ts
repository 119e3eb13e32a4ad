import { trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatTopicScan } from '../src/scan-format.js';
import { createTopicSurvey } from '../src/topic-survey.js';
import { pasteBlock, requireBuiltCli, runCli, scanMapping } from './helpers/cli.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

// `--scan` of a broker a Zigbee gateway publishes to, with payloads shaped as Zigbee2MQTT (2.x:
// JSON availability, bridge/info, bridge/devices...) and deCONZ (its websocket events, forwarded
// to MQTT) publish them. Through a real mosquitto, retained, so the broker hands them to the scan
// and to --once right after their SUBACK.
const track = trackCleanups();
const broker = sharedMosquitto();
beforeAll(requireBuiltCli);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--log-level', 'warn'], env);
const bare = (url: string) => scanMapping('zigbee-gateways', url);

interface OutPoint {
  metric: string;
  value: unknown;
  timestamp: number;
}

/** Scans `filter` and returns what it printed and the entries it proposed. */
async function scan(filter: string): Promise<{ out: string; subscriptions: Record<string, unknown>[] }> {
  const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
  const scanned = await run(['--config', file, '--scan', '2s', '--scan-topic', filter]);
  expect(scanned.code, scanned.stderr).toBe(0);
  return { out: scanned.stdout, subscriptions: (parse(pasteBlock(scanned.stdout)) as { subscriptions: Record<string, unknown>[] }).subscriptions };
}

/** Pastes the scan's block under mqtt:, checks it, runs it once (`--dry-run --once`) and returns the points by metric. */
async function runPasted(out: string, env: NodeJS.ProcessEnv = {}): Promise<Map<string, OutPoint>> {
  const pasted = await writeTempFile(track, 'pasted.yaml', `${bare(broker.url)}${pasteBlock(out).replace(/^(?=.)/gm, '  ')}`);
  const checked = await run(['--config', pasted, '--check']);
  expect(checked.code, checked.stderr).toBe(0);
  const once = await run(['--config', pasted, '--dry-run', '--once'], env);
  expect(once.code, once.stderr).toBe(0);
  expect(once.stderr).not.toMatch(/bad_timestamp|wrong_type|not_a_number|has no time zone/);
  const points = once.stdout.trim().split('\n').map((l) => JSON.parse(l) as OutPoint);
  return new Map(points.map((p) => [p.metric, p]));
}

describe('--scan of a Zigbee2MQTT broker', () => {
  it('leaves out zigbee2mqtt/bridge/*, proposes JSON availability as a boolean, and a setting that said "off" stays out; pasted, a later "toggle" is no wrong_type', async () => {
    const pub = await broker.publisher(track);
    await pub.retain('zigbee2mqtt/bridge/state', '{"state":"online"}');
    await pub.retain(
      'zigbee2mqtt/bridge/info',
      '{"version":"2.1.1","commit":"6e3f4a4","coordinator":{"ieee_address":"0x00124b0024c1a2b3","type":"zStack3x0","meta":{"majorrel":2,"minorrel":7,"revision":20230507}},"network":{"channel":11,"pan_id":6754,"extended_pan_id":"0xdddddddddddddddd"},"log_level":"info","permit_join":false,"restart_required":false,"config":{"advanced":{"channel":11,"last_seen":"ISO_8601","pan_id":6754},"availability":{"enabled":true,"active":{"timeout":10},"passive":{"timeout":1500}},"mqtt":{"base_topic":"zigbee2mqtt","server":"mqtt://localhost:1883"}}}',
    );
    await pub.retain(
      'zigbee2mqtt/bridge/devices',
      '[{"ieee_address":"0x00124b0024c1a2b3","type":"Coordinator","network_address":0,"supported":true,"disabled":false,"friendly_name":"Coordinator","interview_completed":true},{"ieee_address":"0xa4c138d5e6f7a8b9","type":"Router","network_address":31437,"supported":true,"disabled":false,"friendly_name":"hall_plug","power_source":"Mains (single phase)","model_id":"TS011F","interview_completed":true}]',
    );
    await pub.retain('zigbee2mqtt/bridge/groups', '[{"id":1,"friendly_name":"living_lights","members":[{"ieee_address":"0xa4c138d5e6f7a8b9","endpoint":1}],"scenes":[]}]');
    await pub.retain('zigbee2mqtt/bridge/logging', '{"level":"info","message":"Zigbee2MQTT started!"}');
    // A TS011F plug: power_on_behavior is off, on, toggle or previous; indicator_mode off, off/on, on/off or on.
    await pub.retain(
      'zigbee2mqtt/hall_plug',
      '{"child_lock":"UNLOCK","current":0.02,"energy":73.75,"indicator_mode":"off","last_seen":"2024-01-01T18:10:38.000Z","linkquality":180,"power":5,"power_on_behavior":"off","state":"ON","voltage":230}',
    );
    await pub.retain('zigbee2mqtt/hall_plug/availability', '{"state":"online"}');
    await pub.retain('zigbee2mqtt/stairs_switch', '{"last_seen":"2024-01-01T18:11:00.000Z","linkquality":96,"power_on_behavior":"previous","state_l1":"ON","state_l2":"OFF"}');
    await pub.retain('zigbee2mqtt/stairs_switch/availability', '{"state":"offline"}');

    const { out, subscriptions } = await scan('zigbee2mqtt/#');
    // Listed, but not proposed: said once, with why.
    expect(out).toMatch(/^zigbee2mqtt\/bridge\/info +1 +yes +json +- +/m);
    expect(out.match(/# left out/g)).toHaveLength(1);
    expect(out).toContain("# left out: 5 topics below zigbee2mqtt/bridge/..., Zigbee2MQTT's own (its state, configuration, device list, log): not device data.");
    // The plug and the switch (two models) are one entry: each value optional where one of them lacks it.
    const optional = (path: string, more = {}) => ({ value: path, ...more, optional: true });
    expect(subscriptions).toEqual([
      {
        topic: 'zigbee2mqtt/+',
        metric: 'zigbee2mqtt.{topic.1}.{field}',
        timestamp: { path: '$.last_seen', unit: 'iso8601' },
        fields: {
          current: optional('$.current'),
          energy: optional('$.energy'),
          linkquality: '$.linkquality',
          power: optional('$.power'),
          state: optional('$.state', { type: 'boolean' }),
          voltage: optional('$.voltage'),
          state_l1: optional('$.state_l1', { type: 'boolean' }),
          state_l2: optional('$.state_l2', { type: 'boolean' }),
        },
      },
      { topic: 'zigbee2mqtt/+/availability', metric: 'zigbee2mqtt.{topic.1}.availability', value: '$.state', type: 'boolean', payload_on: 'online', payload_off: 'offline' },
    ]);

    // Later the plug is switched off and set to toggle at power-on: the pasted mapping reads it.
    await pub.retain(
      'zigbee2mqtt/hall_plug',
      '{"child_lock":"UNLOCK","current":0,"energy":73.8,"indicator_mode":"off/on","last_seen":"2024-01-01T18:20:00.000Z","linkquality":176,"power":0,"power_on_behavior":"toggle","state":"OFF","voltage":231}',
    );
    const byMetric = await runPasted(out);
    const value = (metric: string) => byMetric.get(metric)?.value;
    expect(value('zigbee2mqtt.hall_plug.state')).toBe(false);
    expect(value('zigbee2mqtt.hall_plug.power')).toBe(0);
    expect(value('zigbee2mqtt.stairs_switch.state_l1')).toBe(true);
    expect(value('zigbee2mqtt.stairs_switch.state_l2')).toBe(false);
    expect(value('zigbee2mqtt.hall_plug.availability')).toBe(true);
    expect(value('zigbee2mqtt.stairs_switch.availability')).toBe(false);
    expect(new Date(byMetric.get('zigbee2mqtt.hall_plug.state')!.timestamp).toISOString()).toBe('2024-01-01T18:20:00.000Z');
    expect([...byMetric.keys()].filter((m) => /bridge|power_on_behavior|indicator_mode|child_lock/.test(m))).toEqual([]);
    // Optional: the switch has no power, and says nothing of it.
    expect(byMetric.has('zigbee2mqtt.stairs_switch.power')).toBe(false);
  });
});

describe('--scan of deCONZ events forwarded to MQTT', () => {
  it('proposes time_zone UTC for lastupdated, which deCONZ writes in UTC without a zone; pasted, the points carry that time whatever the machine\'s zone', async () => {
    const pub = await broker.publisher(track);
    // deCONZ's websocket events, as a flow forwards them: a sensor's state change.
    await pub.retain('deconz/sensors/7', '{"e":"changed","id":"7","r":"sensors","state":{"lastupdated":"2024-06-01T19:18:20.728","temperature":2602},"t":"event","uniqueid":"00:15:8d:00:02:b5:a1:7c-01-0402"}');

    const { out, subscriptions } = await scan('deconz/#');
    expect(out).toContain('    timestamp: { path: $.state.lastupdated, time_zone: UTC }  # deCONZ writes lastupdated in UTC without saying so\n');
    expect(out).not.toContain('# left out');
    // Its quoted "id" names the sensor: no value, so the temperature is the entry's one value.
    expect(subscriptions).toEqual([{ topic: 'deconz/sensors/7', metric: 'deconz.sensors.7', value: '$.state.temperature', timestamp: { path: '$.state.lastupdated', time_zone: 'UTC' } }]);

    // Read in Berlin (UTC+2 in June), a local reading would be two hours early.
    const byMetric = await runPasted(out, { TZ: 'Europe/Berlin' });
    const p = byMetric.get('deconz.sensors.7');
    expect(p && [p.value, new Date(p.timestamp).toISOString()]).toEqual([2602, '2024-06-01T19:18:20.728Z']);
  });
});

describe('which heard strings the scan proposes as booleans', () => {
  /** The entries the scan proposes for `heard` ([topic, payload] in order). */
  function proposed(heard: [string, string][]): Record<string, unknown>[] {
    const survey = createTopicSurvey();
    for (const [topic, payload] of heard) survey.message(topic, Buffer.from(payload), false);
    return (parse(pasteBlock(formatTopicScan(survey.result(), 'in a test'))) as { subscriptions: Record<string, unknown>[] }).subscriptions;
  }

  it('leaves out commands a controller sent during the scan (Zigbee2MQTT /set and /get, Homie /set), said once', () => {
    const heard: [string, string][] = [
      ['zigbee2mqtt/hall_plug', '{"state": "ON", "power": 5}'],
      ['zigbee2mqtt/hall_plug/set', '{"state": "OFF"}'],
      ['zigbee2mqtt/hall_plug/set/state', 'OFF'],
      ['zigbee2mqtt/hall_plug/get', '{"state": ""}'],
      ['homie/boiler/relay/on', 'true'],
      ['homie/boiler/relay/on/set', 'false'],
      // A device whose own name is "set" reports at two levels: kept.
      ['sensors/set', '21.5'],
    ];
    expect(proposed(heard)).toEqual([
      { topic: 'homie/boiler/relay/on', format: 'boolean', metric: 'homie.boiler.relay.on' },
      { topic: 'sensors/set', format: 'number', metric: 'sensors.set' },
      { topic: 'zigbee2mqtt/hall_plug', metric: 'zigbee2mqtt.hall_plug.{field}', fields: { power: '$.power', state: { value: '$.state', type: 'boolean' } } },
    ]);
    const survey = createTopicSurvey();
    for (const [topic, payload] of heard) survey.message(topic, Buffer.from(payload), false);
    const out = formatTopicScan(survey.result(), 'in a test');
    expect(out.match(/# left out/g)).toHaveLength(1);
    expect(out).toContain('# left out: 4 command topics (homie/boiler/relay/on/set, zigbee2mqtt/hall_plug/get and 2 more), what a controller asked devices to do, not what they reported. To record commands, map them yourself');
  });

  it('a state only while every value heard was a switch word, a setting never; a lone online is availability, bare or in JSON', () => {
    expect(
      proposed([
        // A setting heard only as on and off is still a setting.
        ['a/plug', '{"power_on_behavior": "on", "power": 3}'],
        ['a/plug', '{"power_on_behavior": "off", "power": 4}'],
        // A state that once said TOGGLE is no switch state the bridge can read.
        ['b/odd', '{"state": "ON", "v": 1}'],
        ['b/odd', '{"state": "TOGGLE", "v": 2}'],
        // Tasmota's numbered relays, any case.
        ['c/tasmota/RESULT', '{"POWER1": "ON", "POWER2": "off"}'],
        ['d/plug1/availability', 'online'],
        ['e/plug2/availability', '{"state": "Offline"}'],
      ]),
    ).toEqual([
      { topic: 'a/plug', metric: 'a.plug', value: '$.power' },
      { topic: 'b/odd', metric: 'b.odd', value: '$.v' },
      { topic: 'c/tasmota/RESULT', metric: 'c.tasmota.RESULT.{field}', fields: { POWER1: { value: '$.POWER1', type: 'boolean' }, POWER2: { value: '$.POWER2', type: 'boolean' } } },
      { topic: 'd/plug1/availability', format: 'boolean', metric: 'd.plug1.availability', payload_on: 'online', payload_off: 'offline' },
      { topic: 'e/plug2/availability', metric: 'e.plug2.availability', value: '$.state', type: 'boolean', payload_on: 'online', payload_off: 'offline' },
    ]);
  });
});
