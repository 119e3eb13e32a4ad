import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMapping } from '@fieldbridge/core';
import { describeRefusals, expectSchemaInSync, mappingRefusal } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { explainAdapterError, stateError } from '../src/adapter/adapter-errors.js';
import { bleBridge, describeBle } from '../src/bridge.js';
import type { BleConfig } from '../src/config.js';

const bad = new URL('./fixtures/bad/', import.meta.url);
const example = fileURLToPath(new URL('../../../examples/ble/map.yaml', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));

describeRefusals(bleBridge, bad, [
  ['unknown-key.yaml', 4, 3, 'ble.scann', /unknown key/],
  ['bad-address.yaml', 6, 16, 'ble.devices[0].address', /"a4:c1:38:12:34" is not a Bluetooth address like a4:c1:38:12:34:56/],
  ['two-match-keys.yaml', 7, 19, 'ble.devices[0].local_name', /give only one of address and local_name/],
  ['bind-key-short.yaml', 8, 17, 'ble.devices[0].bind_key', /a bind key is 16 bytes written as 32 hex digits; this one has 16 characters/],
  ['bind-key-wrong-decoder.yaml', 8, 17, 'ble.devices[0].bind_key', /bind_key applies to decoders bthome, atc and pvvx only/],
  ['unknown-placeholder.yaml', 4, 11, 'ble.metric', /unknown placeholder \{unit\}; use \{device\}, \{measurement\}, \{address\}, \{name\}/],
  ['gatt-no-characteristics.yaml', 7, 16, 'ble.devices[0].decoder', /decoder gatt needs characteristics/],
  ['gatt-by-name.yaml', 6, 19, 'ble.devices[0].local_name', /decoder gatt connects to one device: match it by address/],
  ['characteristic-unknown.yaml', 10, 19, 'ble.devices[0].characteristics[1].uuid', /characteristic fff1 has no built-in decoder .*add fields/],
  ['custom-offset.yaml', 11, 44, 'ble.devices[0].custom.fields[0].offset', /u32 at offset 252 runs past byte 253/],
  ['custom-presence.yaml', 12, 28, 'ble.devices[0].custom.fields[1].measurement', /^measurement presence is the bridge's own event of a device going silent and heard again \(silent, present\): one series would mix both; name this value otherwise, e\.g\. presence_detected$/],
  ['silent-too-short.yaml', 8, 23, 'ble.devices[0].silent_after_s', /must be at least 1s \(range 1s\.\.1w\)/],
  ['counter-restart-without-key.yaml', 8, 32, 'ble.devices[0].counter_restart_after_s', /^counter_restart_after_s applies to encrypted devices only \(decoder bthome, atc or pvvx with a bind_key\)/],
  ['counter-restart-too-short.yaml', 4, 28, 'ble.counter_restart_after_s', /must be at least 1m \(range 1m\.\.1w\)/],
  ['counter-restart-not-a-duration.yaml', 9, 32, 'ble.devices[0].counter_restart_after_s', /expected never \(or 0\), or a duration such as 5m, 1h, or a number of seconds \(range 1m\.\.1w\)/],
  ['max-interval-without-on-change.yaml', 8, 21, 'ble.devices[0].max_interval', /^max_interval applies with on_change: true \(it sends an unchanged value once it is this old\)$/],
  ['max-interval-section-without-on-change.yaml', 4, 17, 'ble.max_interval', /^max_interval applies with on_change: true/],
  ['max-interval-too-short.yaml', 5, 17, 'ble.max_interval', /must be at least 10ms \(range 10ms\.\.1d\)/],
  ['replay-missing.yaml', 4, 11, 'ble.replay', /no-such-recording\.ndjson does not exist/],
  ['duplicate-name.yaml', 6, 15, 'ble.devices[1].name', /device name "kitchen" is already used by devices\[0\]/],
  ['duplicate-address.yaml', 6, 34, 'ble.devices[1].address', /devices\[0\] already matches address "a4:c1:38:12:34:56"/],
  ['unknown-decoder.yaml', 5, 61, 'ble.devices[0].decoder', /decoder must be one of bthome, ruuvi, atc, pvvx, ibeacon, eddystone, custom, gatt/],
  ['decoder-misspelt.yaml', 5, 60, 'ble.devices[0].decoder', /^decoder must be one of bthome, ruuvi, atc, pvvx, ibeacon, eddystone, custom, gatt \(did you mean ruuvi\?\)$/],
  ['ibeacon-uuid-short.yaml', 6, 21, 'ble.devices[0].ibeacon_uuid', /^"f7826da6-4fa2-4e98-8024-bc5b71e0893" is not an iBeacon proximity UUID: 32 hex digits, with or without dashes, like e2c56db5-/],
  ['ibeacon-uuid-wrong-decoder.yaml', 7, 16, 'ble.devices[0].decoder', /^ibeacon_uuid matches beacons by their iBeacon frames \(Apple manufacturer data\): use decoder ibeacon \(or custom .*\), not eddystone$/],
  ['ibeacon-major-without-uuid.yaml', 5, 65, 'ble.devices[0].ibeacon_major', /^ibeacon_major narrows an ibeacon_uuid entry to one major: add ibeacon_uuid/],
  ['ibeacon-uuid-duplicate.yaml', 6, 36, 'ble.devices[1].ibeacon_uuid', /^devices\[0\] already matches ibeacon_uuid "f7826da6-4fa2-4e98-8024-bc5b71e0893e" with ibeacon_major 1; an advert belongs to one device entry$/],
  ['eddystone-namespace-with-instance.yaml', 6, 28, 'ble.devices[0].eddystone_namespace', /^"edd1ebeac04e5defa017a55e7000000a" is not an Eddystone namespace: 10 bytes written as 20 hex digits, .*\(this one has 32 characters; the last 12 digits are a beacon's instance: leave them out\)$/],
  ['eddystone-namespace-number.yaml', 6, 28, 'ble.devices[0].eddystone_namespace', /^eddystone_namespace is 20 hex digits as text: quote it, or YAML reads one made of digits only as a number$/],
  ['ibeacon-metric-address.yaml', 8, 15, 'ble.devices[0].metric', /^rooms matches beacons by ibeacon_uuid: each is tracked by its identity, whatever address it uses, and \{address\} would change its metric each time it rotates a random address: leave \{address\} out \(its points are tagged major and minor; \{name\} is its advertised name, else its major\.minor\)$/],
  ['eddystone-section-metric-address.yaml', 4, 11, 'ble.metric', /^assets matches beacons by eddystone_namespace: .*: give assets a metric of its own without \{address\} \(its points are tagged instance; \{name\} is its advertised name, else its instance\)$/],
  ['device-tags-crowd.yaml', 6, 72, 'ble.devices[0].tags', /^its points would carry 17 tags, .*: the file's 10 \(tags:\), 3 given here, device, address, unit and index \(added by the ble bridge\)/],
]);

describe('--check', () => {
  it('says how often a device with on_change and max_interval sends an unchanged value', () => {
    const section = { on_change: true, max_interval: '10m', devices: [{ name: 'kitchen', address: 'a4:c1:38:12:34:56', decoder: 'atc' }, { name: 'door', address: 'a4:c1:38:00:00:02', decoder: 'bthome', max_interval: 90_000 }] };
    expect(describeBle(bleBridge.configSchema.parse(section) as BleConfig).slice(1)).toEqual([
      'kitchen: address a4:c1:38:12:34:56 as atc -> {device}.{measurement} (on change, at least every 10m, silent after 5m)',
      'door: address a4:c1:38:00:00:02 as bthome -> {device}.{measurement} (on change, at least every 1m30s, silent after 5m)',
    ]);
  });
});

describe('--check on encrypted BTHome devices', () => {
  it('says after how long a counter restart is accepted, or that it never is', () => {
    const key = '231d39c1d7cc1ab1aee224cd096db932';
    const section = { counter_restart_after_s: '10m', devices: [{ name: 'door', address: 'a4:c1:38:00:00:02', decoder: 'bthome', bind_key: key }, { name: 'button', address: 'a4:c1:38:00:00:03', decoder: 'bthome', bind_key: key, counter_restart_after_s: 'never' }] };
    expect(describeBle(bleBridge.configSchema.parse(section) as BleConfig).slice(1)).toEqual([
      'door: address a4:c1:38:00:00:02 as bthome with a bind key -> {device}.{measurement} (silent after 5m, counter restart accepted after 10m)',
      'button: address a4:c1:38:00:00:03 as bthome with a bind key -> {device}.{measurement} (silent after 5m, counter restart never accepted)',
    ]);
  });
});

describe('bind keys', () => {
  it('a refused bind key is never echoed', () => {
    const { message } = mappingRefusal(fileURLToPath(new URL('bind-key-short.yaml', bad)), bleBridge);
    expect(message).not.toContain('231d39c1d7cc1ab1');
  });
});

describe('schema.json', () => {
  it('matches the config schema; run `pnpm schema` after changing it', () => {
    expectSchemaInSync(bleBridge, new URL('../schema.json', import.meta.url));
  });
});

describe('examples/ble/map.yaml', () => {
  const load = (env: NodeJS.ProcessEnv) => {
    const cwd = process.cwd();
    // The example names its replay file from the repository root, where its README runs it.
    process.chdir(repo);
    try {
      return parseMapping(readFileSync(example, 'utf8'), example, bleBridge, env);
    } finally {
      process.chdir(cwd);
    }
  };

  it('loads, the environment choosing the replay file and the bind key', () => {
    const config = load({ BLE_REPLAY: '-', WINDOW_BIND_KEY: '00112233445566778899aabbccddeeff' });
    const ble = config.ble as BleConfig;
    expect(config.source_id).toBe('home-ble-gateway');
    expect(ble.replay).toEqual({ file: '-', pace: 'recorded', loop: false });
    expect(ble.devices.find((d) => d.name === 'window')?.bind_key).toBe('00112233445566778899aabbccddeeff');
  });

  it('describes what would be read for --check, without the bind key', () => {
    const lines = describeBle(load({}).ble as BleConfig);
    expect(lines).toEqual([
      'replay examples/ble/sensors.ndjson at the recorded pace, timestamps shifted to now',
      'living_room: address a4:c1:38:b7:10:01 as bthome -> {device}.{measurement} (rssi, silent after 2m)',
      'window: address a4:c1:38:b7:10:02 as bthome with a bind key -> {device}.{measurement} (on change, silent after 2m, counter restart accepted after 5m)',
      'fridge: address c7:3a:9e:01:02:03 as ruuvi -> {device}.{measurement} (at most 0.2/s per value, silent after 2m)',
      'thermometer: local names starting "ATC_1" (up to 100 devices) as atc -> thermometer.{name}.{measurement} (silent after 2m)',
      'freezer: local name "ATC_ABCDEF" as pvvx -> {device}.{measurement} (silent after 2m)',
      'tag: address 0c:f3:ee:00:00:01 as ibeacon -> {device}.{measurement} (rssi, silent after 2m)',
      'strap: address f0:0d:ca:fe:00:01 as GATT (not read while replaying: a record file holds adverts only) -> {device}.{measurement} (silent after 2m)',
      '  notify 180d/2a37 (Heart Rate Measurement)',
      '  read 2a19 (Battery Level) every 5m',
    ]);
    expect(lines.join('\n')).not.toContain('231d39c1');
  });
});

describe('the starter fieldbridge init ble writes', () => {
  const file = (ble: string): string => `source_id: starter\nsink: { url: stdout }\n${ble}`;

  it('passes --check as written', () => {
    expect(parseMapping(file(bleBridge.starter!()), 'starter.yaml', bleBridge, {}).ble).toBeDefined();
  });

  it('offers a replay line that, put in place of the adapter as it says, reads standard input', () => {
    const starter = bleBridge.starter!();
    const offered = /Replace adapter with {2}(replay: .*?) {2}and pipe in/.exec(starter)?.[1];
    expect(offered).toBe('replay: { file: "-", pace: recorded }');
    const edited = starter.replace(/^( {2})adapter: .*$/m, `$1${offered!}`);
    const ble = parseMapping(file(edited), 'starter.yaml', bleBridge, {}).ble as BleConfig;
    expect(ble.replay).toMatchObject({ file: '-', pace: 'recorded' });
    expect(describeBle(ble)[0]).toMatch(/^replay standard input at the recorded pace/);
  });

  it('gives the setcap line the README and the permission error give: cap_net_raw only', () => {
    const setcap = 'sudo setcap cap_net_raw+eip "$(readlink -f "$(command -v node)")"';
    expect(bleBridge.starter!()).toContain(setcap);
    expect(explainAdapterError(Object.assign(new Error('bind EPERM'), { code: 'EPERM', syscall: 'bind' })).message).toContain(`(${setcap})`);
    expect(stateError('unauthorized')?.message).toContain(`(${setcap})`);
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\n${setcap}\n`);
    expect(readFileSync(new URL('../../../docs/troubleshooting.md', import.meta.url), 'utf8')).toContain(`\`${setcap}\``);
  });
});
