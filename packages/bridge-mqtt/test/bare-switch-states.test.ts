import { trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pasteBlock, requireBuiltCli, runCli, scanMapping } from './helpers/cli.js';
import { section, startSource } from './helpers/mqtt.js';
import { sharedMosquitto } from './helpers/shared-broker.js';

// Switch states published as the bare word (Shelly Gen1's shellies/<id>/relay/0 `on`, Tasmota's
// stat/<topic>/POWER `ON`), and Tasmota's zone-less Time, through a real broker (mosquitto): read
// by format boolean, and suggested by --scan as entries that, pasted, read them.
const track = trackCleanups();
const broker = sharedMosquitto();
beforeAll(requireBuiltCli);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--log-level', 'warn'], env);
const bare = (url: string) => scanMapping('switch-test', url);

describe('format boolean: switch states as bare words', () => {
  it('reads Shelly Gen1\'s relay and Tasmota\'s POWER as booleans, and refuses a word it does not know, said once per subscription', async () => {
    const shelly = 'shelly relays';
    const { t, subscribed } = await startSource(
      section({
        url: broker.url,
        subscriptions: [
          { name: shelly, topic: 'sw1/shellies/+/relay/0', format: 'boolean', metric: 'shelly.{topic.2}.relay0' },
          { topic: 'sw1/stat/+/POWER', format: 'boolean', metric: 'tasmota.{topic.2}.power' },
        ],
      }),
      {},
      track,
    );
    await subscribed();
    const pub = await broker.publisher(track);
    await pub.publish('sw1/shellies/shelly1-AAA/relay/0', 'on');
    await pub.publish('sw1/shellies/shelly1-AAA/relay/0', 'off');
    await pub.publish('sw1/stat/sonoff1/POWER', 'ON');
    await pub.publish('sw1/stat/sonoff1/POWER', 'OFF');
    // Shelly's command topic takes `toggle`; a device (or a mapping's filter) that sends it as a state is not read as false.
    await pub.publish('sw1/shellies/shelly1-AAA/relay/0', 'toggle');
    await pub.publish('sw1/shellies/shelly1-BBB/relay/0', 'toggle');
    await pub.publish('sw1/shellies/shelly1-BBB/relay/0', 'on');
    await t.waitFor(() => t.points.length === 5, 'five points');

    expect(t.points.map((p) => [p.metric, p.value])).toEqual([
      ['shelly.shelly1-AAA.relay0', true],
      ['shelly.shelly1-AAA.relay0', false],
      ['tasmota.sonoff1.power', true],
      ['tasmota.sonoff1.power', false],
      ['shelly.shelly1-BBB.relay0', true],
    ]);
    expect(await t.metric('fieldbridge_source_errors_total', { bridge: 'mqtt', channel: shelly, kind: 'wrong_type' })).toBe(2);
    const reports = t.problems.filter((p) => p.kind === 'report');
    expect(reports.map((p) => p.key)).toEqual([`mqtt.boolean.${shelly}`, `mqtt.boolean.${shelly}`]);
    expect(reports.filter((p) => p.logged)).toHaveLength(1);
    expect(reports[0]?.message).toBe(
      `subscription ${shelly}: sw1/shellies/shelly1-AAA/relay/0: the payload "toggle" is not a switch state: format boolean reads on/off, true/false and 1/0 in any case (name the device's words with payload_on and payload_off, or map the topic with format: text)`,
    );
  });

  it('--scan suggests format boolean for bare switch states and a timestamp for Tasmota\'s zone-less Time; pasted, the entries pass --check and read both', async () => {
    const pub = await broker.publisher(track);
    // Retained: the broker hands them to the scan and to --once right after their SUBACK.
    const retained = (topic: string, payload: string) => pub.retain(topic, payload);
    await retained('sw2/shellies/shelly1-AAA/relay/0', 'on');
    await retained('sw2/shellies/shelly1-BBB/relay/0', 'off');
    await retained('sw2/stat/sonoff1/POWER', 'ON');
    await retained('sw2/tele/sonoff1/STATE', JSON.stringify({ Time: '2026-12-03T14:05:10', Uptime: '0T01:02:03', POWER: 'OFF', Wifi: { RSSI: 60 } }));
    await retained('sw2/tele/sonoff2/SENSOR', JSON.stringify({ Time: '2026-07-01T12:00:00.5+02:00', ENERGY: { TotalStartTime: '2026-01-10T09:00:00', Power: 5 } }));

    const file = await writeTempFile(track, 'map.yaml', bare(broker.url));
    const scan = await run(['--config', file, '--scan', '2s', '--scan-topic', 'sw2/#']);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toMatch(/^sw2\/shellies\/shelly1-AAA\/relay\/0 +1 +yes +boolean +- +on$/m);
    expect(scan.stdout).toMatch(/^sw2\/stat\/sonoff1\/POWER +1 +yes +boolean +- +ON$/m);
    expect(scan.stdout).toContain(
      "    timestamp: { path: $.Time, time_zone: local }  # a time without a zone: set time_zone to the device's (an IANA name like Europe/Berlin, or +01:00); local is this machine's\n",
    );
    const { subscriptions } = parse(pasteBlock(scan.stdout)) as { subscriptions: Record<string, unknown>[] };
    expect(subscriptions).toEqual([
      { topic: 'sw2/shellies/+/relay/0', format: 'boolean', metric: 'sw2.shellies.{topic.2}.relay.0' },
      { topic: 'sw2/stat/sonoff1/POWER', format: 'boolean', metric: 'sw2.stat.sonoff1.POWER' },
      { topic: 'sw2/tele/sonoff1/STATE', metric: 'sw2.tele.sonoff1.STATE.{field}', timestamp: { path: '$.Time', time_zone: 'local' }, fields: { POWER: { value: '$.POWER', type: 'boolean' }, RSSI: '$.Wifi.RSSI' } },
      { topic: 'sw2/tele/sonoff2/SENSOR', metric: 'sw2.tele.sonoff2.SENSOR', value: '$.ENERGY.Power', timestamp: { path: '$.Time', unit: 'iso8601' } },
    ]);

    const pasted = await writeTempFile(track, 'pasted.yaml', `${bare(broker.url)}${pasteBlock(scan.stdout).replace(/^(?=.)/gm, '  ')}`);
    const checked = await run(['--config', pasted, '--check']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain("sw2/shellies/+/relay/0 (qos 1, boolean): payload as a switch state (on/off, true/false, 1/0) -> 'sw2.shellies.{topic.2}.relay.0'");
    // local is the process's zone: the device's, Berlin, here. 14:05:10 there in December (UTC+1) is 13:05:10Z.
    const once = await run(['--config', pasted, '--dry-run', '--once'], { TZ: 'Europe/Berlin' });
    expect(once.code, once.stderr).toBe(0);
    const points = once.stdout.trim().split('\n').map((l) => JSON.parse(l) as { metric: string; value: unknown; timestamp: number });
    const byMetric = new Map(points.map((p) => [p.metric, [p.value, p.metric.startsWith('sw2.tele.') ? new Date(p.timestamp).toISOString() : 'receipt']]));
    expect(Object.fromEntries(byMetric)).toEqual({
      'sw2.shellies.shelly1-AAA.relay.0': [true, 'receipt'],
      'sw2.shellies.shelly1-BBB.relay.0': [false, 'receipt'],
      'sw2.stat.sonoff1.POWER': [true, 'receipt'],
      'sw2.tele.sonoff1.STATE.POWER': [false, '2026-12-03T13:05:10.000Z'],
      'sw2.tele.sonoff1.STATE.RSSI': [60, '2026-12-03T13:05:10.000Z'],
      'sw2.tele.sonoff2.SENSOR': [5, '2026-07-01T10:00:00.500Z'],
    });
    expect(once.stderr).not.toMatch(/bad_timestamp|wrong_type|has no time zone/);
  });
});
