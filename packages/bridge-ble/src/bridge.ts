import { defineBridge, formatDuration, packageVersion } from '@fieldbridge/core/bridge';
import { checkBle } from './check.js';
import { bleConfigSchema, type BleConfig } from './config.js';
import { GATT_CHARACTERISTICS } from './gatt/characteristics.js';
import { blePointTags } from './point-tags.js';
import { resolveBle, type ResolvedDevice, type ResolvedSource } from './resolve.js';
import { handleScan, SCAN_OPTION } from './scan-command.js';
import { createBleSource, type BleSourceOptions } from './source.js';
import { BLE_STARTER } from './starter.js';

function describeSource(source: ResolvedSource): string {
  if (source.kind === 'replay') {
    const pace = source.pace === 'fast' ? 'as fast as the sink takes it' : `at the recorded pace${source.speed !== 1 ? ` x${source.speed}` : ''}`;
    return `replay ${source.file === '-' ? 'standard input' : source.file} ${pace}${source.loop ? ', looping' : ''}, timestamps ${source.timestamps === 'shifted' ? 'shifted to now' : 'as recorded'}`;
  }
  const adapter = source.hci !== undefined ? `hci${source.hci}` : 'the default adapter (NOBLE_HCI_DEVICE_ID, else the first)';
  const missing = source.whenMissing === 'exit' ? 'exit 1 when it is missing' : 'wait for it when it is missing';
  return `adapter ${adapter}, ${source.mode} scanning with duplicates; ${missing}`;
}

function describeMatch(device: ResolvedDevice): string {
  const m = device.match;
  switch (m.by) {
    case 'address':
      return `address ${m.address}`;
    case 'local_name':
      return `local name "${m.name}"`;
    case 'local_name_prefix':
      return `local names starting "${m.prefix}" (up to ${device.maxDevices} devices)`;
    case 'ibeacon_uuid':
      return `iBeacons of UUID ${m.uuid}${m.major === undefined ? '' : ` major ${m.major}`} (up to ${device.maxDevices} beacons, tagged major and minor)`;
    case 'eddystone_namespace':
      return `Eddystone beacons of namespace ${m.namespace} (up to ${device.maxDevices} beacons, tagged instance)`;
  }
}

function counterRestartText(ms: number): string {
  return ms > 0 ? `counter restart accepted after ${formatDuration(ms)}` : 'counter restart never accepted';
}

function describeDevice(device: ResolvedDevice, replaying: boolean): string[] {
  const options = [
    device.rssi ? 'rssi' : '',
    device.maxRateHz !== undefined ? `at most ${device.maxRateHz}/s per value` : '',
    device.onChange ? 'on change' : '',
    device.maxIntervalMs !== undefined ? `at least every ${formatDuration(device.maxIntervalMs)}` : '',
    `silent after ${formatDuration(device.silentAfterMs)}`,
    device.counterRestartAfterMs === undefined ? '' : counterRestartText(device.counterRestartAfterMs),
  ].filter((o) => o !== '');
  const decoder = device.decoder === 'gatt' ? `GATT${replaying ? ' (not read while replaying: a record file holds adverts only)' : ''}` : device.decoder;
  const head = `${device.name}: ${describeMatch(device)} as ${decoder}${device.bindKey ? ' with a bind key' : ''} -> ${device.template.source} (${options.join(', ')})`;
  const lines = [head];
  for (const c of device.characteristics) {
    const known = GATT_CHARACTERISTICS[c.uuid]?.name;
    const what = `${c.service ? `${c.service}/` : ''}${c.uuid}${c.custom ? ' (byte slices)' : known ? ` (${known})` : ''}`;
    lines.push(`  ${c.mode === 'notify' ? `notify ${what}` : `read ${what} every ${formatDuration(c.intervalMs)}`}`);
  }
  return lines;
}

/**
 * Lines `--check` prints: where adverts come from, the record file, then each device with how
 * it is matched, decoded and named. Bind keys are never printed ("with a bind key").
 */
export function describeBle(section: BleConfig): string[] {
  const { config } = resolveBle(section);
  const lines = [describeSource(config.source)];
  if (config.record !== undefined) lines.push(`record every advert heard to ${config.record}`);
  for (const device of config.devices) lines.push(...describeDevice(device, config.source.kind === 'replay'));
  return lines;
}

/**
 * A BLE bridge definition whose source runs with `options`: most useful with `bindings`, to
 * drive noble over a simulated adapter (`SimulatedBindings`) or other bindings instead of the
 * platform's HCI socket. {@link bleBridge} is the one with the platform's adapter.
 */
export function defineBleBridge(options: BleSourceOptions = {}) {
  return defineBridge({
    name: 'ble',
    version: packageVersion(import.meta.url),
    reads: 'Bluetooth LE advertisements and GATT',
    configSchema: bleConfigSchema,
    check: checkBle,
    pointTags: blePointTags,
    describe: describeBle,
    starter: () => BLE_STARTER,
    create: (config, ctx) => createBleSource(config, ctx, options),
    cli: {
      options: [{ flags: '--record <file>', description: 'append every advert heard to FILE as NDJSON (what ble: { replay: FILE } reads), matched or not' }, SCAN_OPTION],
      apply: (cliOptions, config) => (typeof cliOptions.record === 'string' ? { ...config, record: cliOptions.record } : config),
      handle: (cliOptions, config, io) => handleScan(cliOptions, config, io, options),
    },
  });
}

/**
 * The BLE bridge: the `ble:` section's schema and how to run it. Run it with the core's
 * `startBridge(bleBridge, config)` or from the command line (`bridge-ble --config FILE`).
 */
export const bleBridge = defineBleBridge();
