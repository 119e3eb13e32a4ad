import type { PointTagSet } from '@fieldbridge/core/bridge';
import type { MqttConfig } from './config.js';

/** Tags every Sparkplug B point (and state event) carries: the topic's group, edge node and device. */
const SPARKPLUG_TAGS = ['group', 'edge_node', 'device'];

/**
 * The tags of the section's points (`definition.pointTags`): a subscription's `tags`, with a
 * field's own under `fields` (one set per field), plus `group`, `edge_node` and `device` for
 * Sparkplug B. Keys only: their values are templates filled from each message.
 */
export function mqttPointTags(section: MqttConfig): PointTagSet[] {
  return section.subscriptions.flatMap((sub, i): PointTagSet[] => {
    const at = sub.tags ? ['subscriptions', i, 'tags'] : ['subscriptions', i];
    const tags = Object.keys(sub.tags ?? {});
    const fields = sub.format === undefined || sub.format === 'json' ? Object.entries(sub.fields ?? {}) : [];
    if (fields.length === 0) return [{ path: at, tags, ...(sub.format === 'sparkplug' ? { added: SPARKPLUG_TAGS } : {}) }];
    return fields.map(([name, field]) => {
      const own = typeof field === 'string' ? undefined : field.tags;
      return { path: own ? ['subscriptions', i, 'fields', name, 'tags'] : at, tags: [...tags, ...Object.keys(own ?? {})] };
    });
  });
}
