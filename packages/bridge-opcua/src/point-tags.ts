import type { PointTagSet } from '@fieldbridge/core/bridge';
import type { OpcuaConfig } from './config.js';
import { OPCUA_DEFAULTS } from './plan.js';

/**
 * The tags of the section's points (`definition.pointTags`), one set per entry: its `tags`, plus
 * `unit` when it sets one and, for values under the quality rule `tag`, `quality` and `status`
 * (on a value whose status is not Good), which the bridge adds. Said at the entry's `tags`.
 */
export function opcuaPointTags(section: OpcuaConfig): PointTagSet[] {
  const values = (key: 'nodes' | 'folders'): PointTagSet[] =>
    (section[key] ?? []).map((entry, i) => ({
      path: entry.tags ? [key, i, 'tags'] : [key, i],
      tags: Object.keys(entry.tags ?? {}),
      added: [...(entry.unit === undefined ? [] : ['unit']), ...((entry.quality ?? section.quality ?? OPCUA_DEFAULTS.quality) === 'tag' ? ['quality', 'status'] : [])],
    }));
  const events = (section.events ?? []).map((entry, i) => ({ path: entry.tags ? ['events', i, 'tags'] : ['events', i], tags: Object.keys(entry.tags ?? {}) }));
  return [...values('nodes'), ...values('folders'), ...events];
}
