import type { PointTagSet } from '@fieldbridge/core/bridge';
import { BEACON_TAG_KEYS } from './beacon-id.js';
import type { BleConfig } from './config.js';

/** Tags the bridge adds to a device's points: `device`, `address`, `unit` (where known) and `index` (or `steps`), at most four. */
const ADDED = ['device', 'address', 'unit', 'index'];
/** Those of a name entry's points: a device on a changing address has `local_name` instead of `address`, both when split off from another of its name. */
const ADDED_BY_NAME = ['device', 'address', 'local_name', 'unit', 'index'];
/**
 * Those of a beacon fleet entry's points (no format of a beacon gives an index): its identity
 * instead of the address it may rotate, and `address` too on one split off from a beacon of the same identity.
 */
const ADDED_IBEACON = ['device', 'unit', ...BEACON_TAG_KEYS.ibeacon, 'address'];
const ADDED_EDDYSTONE = ['device', 'unit', ...BEACON_TAG_KEYS.eddystone, 'address'];

function added(device: BleConfig['devices'][number]): string[] {
  if (device.ibeacon_uuid !== undefined) return ADDED_IBEACON;
  if (device.eddystone_namespace !== undefined) return ADDED_EDDYSTONE;
  return device.local_name !== undefined || device.local_name_prefix !== undefined ? ADDED_BY_NAME : ADDED;
}

/** The tags of the section's points (`definition.pointTags`), one set per device: its `tags` and those the bridge may add. */
export function blePointTags(section: BleConfig): PointTagSet[] {
  return section.devices.map((device, i) => ({ path: device.tags ? ['devices', i, 'tags'] : ['devices', i], tags: Object.keys(device.tags ?? {}), added: added(device) }));
}
