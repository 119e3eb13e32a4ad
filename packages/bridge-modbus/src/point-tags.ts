import type { PointTagSet } from '@fieldbridge/core/bridge';
import type { ModbusConfig } from './config.js';

/**
 * The tags of the section's points (`definition.pointTags`), one set per point: its device's
 * tags and its own, plus `device` and, when the point has a `unit`, `unit`, which the bridge adds.
 * Said at the point's `tags`, else the device's.
 */
export function modbusPointTags(section: ModbusConfig): PointTagSet[] {
  return section.devices.flatMap((device, d) =>
    device.points.map((point, p) => ({
      path: point.tags ? ['devices', d, 'points', p, 'tags'] : device.tags ? ['devices', d, 'tags'] : ['devices', d, 'points', p],
      tags: [...Object.keys(device.tags ?? {}), ...Object.keys(point.tags ?? {})],
      added: point.unit === undefined ? ['device'] : ['device', 'unit'],
    })),
  );
}
