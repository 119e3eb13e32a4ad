import type { PointTagSet } from '@fieldbridge/core/bridge';
import type { BleConfig } from './config.js';

/** Tags the bridge adds to a device's points: `device`, `address`, `unit` (where known) and `index` (or `steps`), at most four. */
const ADDED = ['device', 'address', 'unit', 'index'];

/** The tags of the section's points (`definition.pointTags`), one set per device: its `tags` and the four the bridge may add. */
export function blePointTags(section: BleConfig): PointTagSet[] {
  return section.devices.map((device, i) => ({ path: device.tags ? ['devices', i, 'tags'] : ['devices', i], tags: Object.keys(device.tags ?? {}), added: ADDED }));
}
