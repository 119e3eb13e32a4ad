import { topicLevels } from './topic.js';

/**
 * What Zigbee2MQTT publishes about itself below `<base topic>/bridge/` (the base is `zigbee2mqtt`
 * unless configured): its state, its version and configuration (`info`, whose numbers are its
 * settings: channel, PAN id, timeouts), the device, group and definition lists, its log, events,
 * and the answers to requests. None of it is a device's data.
 */
const ZIGBEE2MQTT_BRIDGE_TOPICS = new Set([
  'state',
  'info',
  'devices',
  'groups',
  'definitions',
  'extensions',
  'converters',
  'options',
  'logging',
  'log',
  'config',
  'event',
  'health',
  'networkmap',
  'request',
  'response',
]);

/**
 * The prefix (`zigbee2mqtt/bridge`) when `topic` is one of Zigbee2MQTT's own management topics
 * (`<base>/bridge/info`, `<base>/bridge/response/device/rename`: see
 * {@link ZIGBEE2MQTT_BRIDGE_TOPICS}), which a scan leaves out of the subscriptions it proposes;
 * else undefined. A device's state (`zigbee2mqtt/<friendly name>`) is never one.
 */
export function managementPrefix(topic: string): string | undefined {
  const levels = topicLevels(topic);
  if (levels.length < 3 || levels[1] !== 'bridge' || !ZIGBEE2MQTT_BRIDGE_TOPICS.has(levels[2]!)) return undefined;
  return `${levels[0]}/bridge`;
}

/**
 * The line a scan prints, once, for the management topics it left out (`prefixes`, in order
 * heard), or none when there were none.
 */
export function leftOutNote(prefixes: ReadonlySet<string>, topics: number): string[] {
  if (prefixes.size === 0) return [];
  const where = [...prefixes].map((p) => `${p}/...`).join(', ');
  const example = [...prefixes][0]!;
  return [
    `# left out: ${topics} topic${topics === 1 ? '' : 's'} below ${where}, Zigbee2MQTT's own (its state, configuration, device list, log): not device data. To watch the gateway itself, map ${example}/state yourself`,
  ];
}
