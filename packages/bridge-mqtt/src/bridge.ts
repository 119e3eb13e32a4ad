import { defineBridge, packageVersion } from '@fieldbridge/core/bridge';
import { checkMqttSection } from './check.js';
import { describeConnection } from './client-options.js';
import { handleScan, SCAN_OPTIONS } from './scan-command.js';
import { mqttConfigSchema, type MqttConfig } from './config.js';
import { MQTT_OTHER_NAMES } from './other-names.js';
import { mqttPointTags } from './point-tags.js';
import { resolveSubscriptions, type ResolvedSubscription } from './resolve.js';
import { createMqttSource } from './source.js';
import { describeSwitchWords } from './switch-words.js';
import { mqttStarter } from './starter.js';

/** How the formats whose whole payload is the value read it. */
const SCALAR_READS = { number: 'a number', boolean: 'a switch state (on/off, true/false, 1/0)', text: 'text' } as const;

/** One line saying how a subscription's messages become points. */
export function describeSubscription(sub: ResolvedSubscription): string {
  const head = `${sub.name === sub.topic.raw ? sub.topic.raw : `${sub.name}: ${sub.topic.raw}`} (qos ${sub.qos}, ${sub.format}${sub.topic.shareGroup === undefined ? '' : `, shared by group ${sub.topic.shareGroup}`})`;
  const tags = sub.tags.length > 0 ? `, tags ${sub.tags.map(([k, t]) => `${k}=${t.source}`).join(' ')}` : '';
  if (sub.format === 'sparkplug') {
    const transient = sub.sendTransient ? ', metrics flagged is_transient sent too (send_transient)' : ', metrics flagged is_transient not sent (send_transient: true sends them)';
    return `${head}: Sparkplug B metrics -> '${sub.metric?.source}', state events -> '${sub.stateMetric?.source}'${transient}${tags}`;
  }
  if (sub.format !== 'json') return `${head}: payload as ${SCALAR_READS[sub.format]}${sub.words ? `, and ${describeSwitchWords(sub.words)}` : ''} -> '${sub.metric?.source}'${tags}`;
  const values = sub.values.map((v) => `'${v.naming.metric.source}'${v.field === undefined ? '' : ` [${v.field}]`} = ${v.path.source} (${v.type}${v.words ? `: ${describeSwitchWords(v.words)}` : ''}${v.optional ? ', optional' : ''})`).join(', ');
  const time = sub.timestamp ? `, timestamp ${sub.timestamp.path.source} (${sub.timestamp.unit}${sub.timestamp.timeZone === undefined ? '' : `, zone-less dates in ${sub.timestamp.timeZone}`})` : ', timestamp at receipt';
  return `${head}: ${values}${time}${tags}`;
}

/** Lines `--check` prints: the broker connection (never the password) and every subscription. */
export function describeMqtt(config: MqttConfig): string[] {
  return [describeConnection(config), ...resolveSubscriptions(config).map((s) => `  ${describeSubscription(s)}`)];
}

/**
 * The MQTT bridge: the `mqtt:` section's schema, its checks and how to run it. Run it with the
 * core's `startBridge(mqttBridge, config)` or from the command line (`bridge-mqtt --config FILE`).
 */
export const mqttBridge = defineBridge({
  name: 'mqtt',
  version: packageVersion(import.meta.url),
  reads: 'MQTT topics (JSON, numbers, text, Sparkplug B)',
  configSchema: mqttConfigSchema,
  otherNames: MQTT_OTHER_NAMES,
  check: checkMqttSection,
  pointTags: mqttPointTags,
  describe: describeMqtt,
  starter: () => mqttStarter(),
  create: (config, ctx) => createMqttSource(config, ctx),
  // `once_timeout_ms` predates --once-timeout, which overrides it.
  onceTimeoutMs: (config) => config.once_timeout_ms,
  cli: { options: SCAN_OPTIONS, handle: (options, config, io) => handleScan(options, config, io) },
});
