import type { PointTagSet } from '@fieldbridge/core/bridge';
import { BEACON_TAG_KEYS } from './beacon-id.js';
import type { BleConfig } from './config.js';

/** Tags the bridge adds to a device's points: `device`, `address`, `unit` (where known) and `index` (or `steps`), at most four. */
const ADDED = ['device', 'address', 'unit', 'index'];
/** Those of a beacon fleet entry's points (no format of a beacon gives an index): its identity instead of the address it may rotate. */
const ADDED_IBEACON = ['device', 'unit', ...BEACON_TAG_KEYS.ibeacon];
const ADDED_EDDYSTONE = ['device', 'unit', ...BEACON_TAG_KEYS.eddystone];

function added(device: BleConfig['devices'][number]): string[] {
  if (device.ibeacon_uuid !== undefined) return ADDED_IBEACON;
  return device.eddystone_namespace !== undefined ? ADDED_EDDYSTONE : ADDED;
}

/** The tags of the section's points (`definition.pointTags`), one set per device: its `tags` and those the bridge may add. */
export function blePointTags(section: BleConfig): PointTagSet[] {
  return section.devices.map((device, i) => ({ path: device.tags ? ['devices', i, 'tags'] : ['devices', i], tags: Object.keys(device.tags ?? {}), added: added(device) }));
}
