import type { PointTagSet } from '@fieldbridge/core/bridge';
import { DEFAULT_SIGNAL_TAGS, type CanConfig } from './config.js';
import { CAN_DEFAULTS } from './resolve.js';

/**
 * The tags of the section's points (`definition.pointTags`): a signal's carry the section's
 * `tags` plus what the bridge adds (`signal_tags`, and `text` under `value_text: tag`); a DM1
 * fault's (`j1939_dm1`) the section's plus `source_address`, `spn` and `fmi` (and `interface`
 * when `signal_tags` lists it).
 */
export function canPointTags(section: CanConfig): PointTagSet[] {
  const tags = Object.keys(section.tags ?? {});
  const signals: PointTagSet = {
    path: section.tags ? ['tags'] : [],
    tags,
    added: [...new Set(section.signal_tags ?? DEFAULT_SIGNAL_TAGS), ...((section.value_text ?? CAN_DEFAULTS.valueText) === 'tag' ? ['text'] : [])],
  };
  const faults: PointTagSet = { path: section.tags ? ['tags'] : ['j1939_dm1'], tags, added: ['source_address', 'spn', 'fmi', ...(section.signal_tags?.includes('interface') ? ['interface'] : [])] };
  return section.j1939_dm1 ? [signals, faults] : [signals];
}
