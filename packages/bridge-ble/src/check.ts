import { existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { SectionIssue } from '@fieldbridge/core/bridge';
import { normalizeAddress } from './advert/advert.js';
import { normalizeEddystoneNamespace, normalizeIbeaconUuid } from './beacon-id.js';
import type { BleConfig } from './config.js';
import { MAX_INTERVAL_NEEDS_ON_CHANGE, resolveBle } from './resolve.js';

/**
 * The checks of a `ble:` section the schema cannot express (`definition.check`): each device
 * matched by exactly one of address, local_name, local_name_prefix, ibeacon_uuid or
 * eddystone_namespace, with a valid address, UUID or namespace;
 * keys that belong to another decoder; bind keys (never echoed); custom slices and GATT
 * characteristics; metric templates; `max_interval` without `on_change`; device names,
 * addresses, local names, prefixes, UUIDs (with the same major) and namespaces used twice;
 * the replay file readable and the record file's folder present, and not the same file. Every issue's path is relative to the section.
 */
export function checkBle(section: BleConfig): SectionIssue[] {
  const { issues } = resolveBle(section);
  if (section.devices.length === 0) {
    issues.push({ path: ['devices'], message: 'no devices: list the sensors to read (bridge-ble --scan lists the devices on the air, with entries to paste here)', runOnly: true });
  }
  const names = new Map<string, number>();
  const keys = new Map<string, number>();
  section.devices.forEach((device, d) => {
    const seen = names.get(device.name);
    if (seen !== undefined) issues.push({ path: ['devices', d, 'name'], message: `device name "${device.name}" is already used by devices[${seen}]` });
    else names.set(device.name, d);
    const match = matchKey(device);
    const key = match.join('\u0000');
    const first = keys.get(key);
    if (first !== undefined) issues.push({ path: ['devices', d, match[0]], message: `devices[${first}] already matches ${match[0]} "${match[1]}"${match[2] ?? ''}; an advert belongs to one device entry` });
    else keys.set(key, d);
  });
  if (section.max_interval !== undefined && !section.on_change) issues.push({ path: ['max_interval'], message: MAX_INTERVAL_NEEDS_ON_CHANGE });
  checkFiles(section, issues);
  return issues;
}

/** The key an entry matches by, its value as compared, and what narrows it (an iBeacon major). */
function matchKey(device: BleConfig['devices'][number]): [key: string, value: string, narrowed?: string] {
  if (device.address !== undefined) return ['address', normalizeAddress(device.address) ?? device.address];
  if (device.local_name !== undefined) return ['local_name', device.local_name];
  if (device.ibeacon_uuid !== undefined) {
    const uuid = normalizeIbeaconUuid(device.ibeacon_uuid) ?? device.ibeacon_uuid;
    return device.ibeacon_major === undefined ? ['ibeacon_uuid', uuid] : ['ibeacon_uuid', uuid, ` with ibeacon_major ${device.ibeacon_major}`];
  }
  if (device.eddystone_namespace !== undefined) return ['eddystone_namespace', normalizeEddystoneNamespace(device.eddystone_namespace) ?? device.eddystone_namespace];
  return ['local_name_prefix', device.local_name_prefix ?? ''];
}

function checkFiles(section: BleConfig, issues: SectionIssue[]): void {
  const replay = typeof section.replay === 'string' ? { file: section.replay } : section.replay;
  const path = typeof section.replay === 'string' ? ['replay'] : ['replay', 'file'];
  if (replay && replay.file !== '-') {
    if (!existsSync(replay.file)) issues.push({ path, message: `${replay.file} does not exist (relative paths are read from the working directory)` });
    else if (statSync(replay.file).isDirectory()) issues.push({ path, message: `${replay.file} is a folder, not a record file` });
  }
  if (replay?.file === '-' && typeof section.replay === 'object' && section.replay.loop) {
    issues.push({ path: ['replay', 'loop'], message: 'standard input (file "-") cannot be read again: loop needs a file' });
  }
  if (section.record !== undefined) {
    if (!existsSync(dirname(resolvePath(section.record)))) issues.push({ path: ['record'], message: `the folder of ${section.record} does not exist` });
    if (replay && replay.file !== '-' && resolvePath(replay.file) === resolvePath(section.record)) {
      issues.push({ path: ['record'], message: 'record names the replay file: it would read what it appends for ever' });
    }
  }
}
