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

/** Levels that make a topic a command to a device: Zigbee2MQTT's `set` and `get`, Homie's `set`. */
const COMMAND_LEVELS = new Set(['set', 'get']);

/**
 * True for a command sent to a device rather than something it reports: Zigbee2MQTT's
 * `<base>/<device>/set` and `/get` (also `/set/<attribute>`), Homie's `<device>/<node>/<property>/set`.
 * A controller (Home Assistant, a dashboard) publishes them when someone switches a light during
 * the scan; mapped, they would record what was asked for as if the device had reported it.
 */
export function isCommandTopic(topic: string): boolean {
  const levels = topicLevels(topic);
  const n = levels.length;
  if (n >= 3 && COMMAND_LEVELS.has(levels[n - 1]!)) return true;
  return n >= 4 && COMMAND_LEVELS.has(levels[n - 2]!);
}

/** Whether a scan leaves `topic` out of the subscriptions it proposes: a gateway's own topic, or a command. */
export function leftOutOfScan(topic: string): boolean {
  return managementPrefix(topic) !== undefined || isCommandTopic(topic);
}

/** The line a scan prints, once, for the commands it left out (`topics`, in the order listed), or none. */
export function commandsNote(topics: readonly string[]): string[] {
  if (topics.length === 0) return [];
  const shown = topics.slice(0, 2).join(', ');
  const more = topics.length > 2 ? ` and ${topics.length - 2} more` : '';
  return [
    `# left out: ${topics.length} command topic${topics.length === 1 ? '' : 's'} (${shown}${more}), what a controller asked devices to do, not what they reported. To record commands, map them yourself`,
  ];
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
