import { oneLine, type SectionIssue } from '@fieldbridge/core/bridge';
import { normalizeAddress } from './advert/advert.js';
import { normalizeEddystoneNamespace, normalizeIbeaconUuid } from './beacon-id.js';
import type { BleDecoder, BleDeviceConfig } from './config.js';

/** A location in the `ble:` section. */
export type Path = (string | number)[];

/**
 * How a device entry picks its adverts: one address, or (each device its own channel) an exact
 * local name, a name prefix, an iBeacon proximity UUID (lowercase 8-4-4-4-12, narrowed to one
 * major when given) or an Eddystone namespace (20 lowercase hex digits).
 */
export type DeviceMatch =
  | { by: 'address'; address: string }
  | { by: 'local_name'; name: string }
  | { by: 'local_name_prefix'; prefix: string }
  | { by: 'ibeacon_uuid'; uuid: string; major?: number }
  | { by: 'eddystone_namespace'; namespace: string };

/** True when `match` takes a fleet of beacons by their identity (iBeacon UUID, Eddystone namespace). */
export function matchesBeacons(match: DeviceMatch): match is Extract<DeviceMatch, { by: 'ibeacon_uuid' | 'eddystone_namespace' }> {
  return match.by === 'ibeacon_uuid' || match.by === 'eddystone_namespace';
}

/** The keys that say which adverts are a device entry's: exactly one per entry. */
export const MATCH_KEYS = ['address', 'local_name', 'local_name_prefix', 'ibeacon_uuid', 'eddystone_namespace'] as const;

/** The decoders that read the adverts a beacon key matches (custom: values cut out of them). */
const BEACON_DECODERS = { ibeacon_uuid: ['ibeacon', 'custom'], eddystone_namespace: ['eddystone', 'custom'] } as const;

/** The beacon entry's decoder reads the frames it matches (any but gatt, which says so itself). */
export function checkBeaconDecoder(match: DeviceMatch, decoder: BleDecoder, at: (...rest: Path) => Path, issues: SectionIssue[]): void {
  if (!matchesBeacons(match) || decoder === 'gatt' || (BEACON_DECODERS[match.by] as readonly string[]).includes(decoder)) return;
  const frames = match.by === 'ibeacon_uuid' ? 'iBeacon frames (Apple manufacturer data)' : 'Eddystone frames (service data feaa)';
  issues.push({ path: at('decoder'), message: `${match.by} matches beacons by their ${frames}: use decoder ${BEACON_DECODERS[match.by][0]} (or custom to cut values out of those bytes), not ${decoder}` });
}

/**
 * A beacon entry's metric template has no `{address}`: a fleet's beacon is tracked by its
 * identity, and an address it rotates (every 15 minutes, for many) would split its series.
 * `fromSection`: the template is the section's `metric`, located there.
 */
export function checkBeaconMetric(match: DeviceMatch, name: string, placeholders: readonly string[], fromSection: boolean, at: (...rest: Path) => Path, issues: SectionIssue[]): void {
  if (!matchesBeacons(match) || !placeholders.includes('address')) return;
  const told = match.by === 'ibeacon_uuid' ? 'major and minor' : 'instance';
  const fix = fromSection ? `give ${name} a metric of its own without {address}` : 'leave {address} out';
  issues.push({
    path: fromSection ? ['metric'] : at('metric'),
    message: `${name} matches beacons by ${match.by}: each is tracked by its identity, whatever address it uses, and {address} would change its metric each time it rotates a random address: ${fix} (its points are tagged ${told}; {name} is its advertised name, else its ${match.by === 'ibeacon_uuid' ? 'major.minor' : 'instance'})`,
  });
}

/** The entry's match key, checked and normalized, pushing an issue located in the section when it is wrong. */
export function resolveMatch(device: BleDeviceConfig, at: (...rest: Path) => Path, issues: SectionIssue[]): DeviceMatch | undefined {
  const given = MATCH_KEYS.filter((k) => device[k] !== undefined);
  if (device.ibeacon_major !== undefined && device.ibeacon_uuid === undefined) {
    issues.push({ path: at('ibeacon_major'), message: 'ibeacon_major narrows an ibeacon_uuid entry to one major: add ibeacon_uuid (the beacons\' proximity UUID)' });
  }
  if (given.length !== 1) {
    issues.push({ path: at(given[1] ?? 'name'), message: given.length === 0 ? 'give one of address, local_name, local_name_prefix, ibeacon_uuid or eddystone_namespace to say which adverts are this device\'s' : `give only one of ${given.join(' and ')}` });
    return undefined;
  }
  if (device.address !== undefined) {
    const address = normalizeAddress(device.address);
    if (!address) issues.push({ path: at('address'), message: `"${device.address}" is not a Bluetooth address like a4:c1:38:12:34:56` });
    return address ? { by: 'address', address } : undefined;
  }
  if (device.ibeacon_uuid !== undefined) {
    const uuid = normalizeIbeaconUuid(device.ibeacon_uuid);
    if (!uuid) issues.push({ path: at('ibeacon_uuid'), message: `"${oneLine(device.ibeacon_uuid)}" is not an iBeacon proximity UUID: 32 hex digits, with or without dashes, like e2c56db5-dffb-48d2-b060-d0f5a71096e0 (bridge-ble --scan shows the UUIDs heard)` });
    return uuid ? { by: 'ibeacon_uuid', uuid, ...(device.ibeacon_major !== undefined ? { major: device.ibeacon_major } : {}) } : undefined;
  }
  if (device.eddystone_namespace !== undefined) {
    const namespace = normalizeEddystoneNamespace(device.eddystone_namespace);
    if (!namespace) {
      const length = device.eddystone_namespace.replace(/^0x/i, '').length;
      // 32 digits are a whole Eddystone-UID: the namespace and the beacon's own instance after it.
      const hint = length === 32 ? '; the last 12 digits are a beacon\'s instance: leave them out' : '';
      issues.push({ path: at('eddystone_namespace'), message: `"${oneLine(device.eddystone_namespace)}" is not an Eddystone namespace: 10 bytes written as 20 hex digits, like edd1ebeac04e5defa017 (this one has ${length} characters${hint})` });
    }
    return namespace ? { by: 'eddystone_namespace', namespace } : undefined;
  }
  return device.local_name !== undefined ? { by: 'local_name', name: device.local_name } : { by: 'local_name_prefix', prefix: device.local_name_prefix! };
}

