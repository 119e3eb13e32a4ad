import { defineBridge, formatDuration, packageVersion, renderMetricName, type BridgeCliIo } from '@fieldbridge/core/bridge';
import { checkMavlink } from './check.js';
import { mavlinkConfigSchema, MAVLINK_DEFAULTS, type MavlinkConfig } from './config.js';
import { INSTANCE_FIELDS } from './default-fields.js';
import { loadDialectSync } from './dialect.js';
import { formatLinkUrl } from './link-url.js';
import { handleScan, SCAN_OPTION } from './scan-command.js';
import { formatMessageFields, formatMessageList } from './list-messages.js';
import { compileMessagePlan } from './message-plan.js';
import { mavlinkPointTags } from './point-tags.js';
import { resolveMavlink } from './resolve.js';
import { createMavlinkSource } from './source.js';
import { MAVLINK_STARTER } from './starter.js';

/**
 * Lines `--check` prints: the link and how vehicles are told apart, signing and heartbeats
 * (never the key), then one line per message with the metric names its points get.
 */
export function describeMavlink(section: MavlinkConfig): string[] {
  const config = resolveMavlink(section);
  const systems = config.systems ? `systems ${config.systems.join(', ')}` : 'every system';
  const components = config.components ? `components ${config.components.join(', ')}` : 'every component';
  const filtered = config.systems !== undefined || config.components !== undefined;
  const radio = filtered && (config.messages.has('RADIO_STATUS') || config.messages.has('RADIO')) ? ' (and the RADIO_STATUS of a telemetry radio, component 68, whatever its system)' : '';
  const lines = [
    `${formatLinkUrl(config.connection)}: ${config.dialect} dialect, ${systems}, ${components}${radio}; a vehicle is lost after ${formatDuration(config.linkTimeoutMs)} without HEARTBEAT`,
    `each vehicle is the source ${config.sourceId.source} and the channel system-{sysid}; events link.lost, link.restored, mode.changed, armed.changed, vehicle.found, vehicle.restarted and the metric link.loss_ratio`,
  ];
  if (config.signing) {
    const how = section.signing?.passphrase !== undefined ? 'a key derived from a passphrase' : 'a key';
    lines.push(`signatures checked with ${how}; unsigned frames ${config.signing.allowUnsigned ? 'accepted' : 'refused'}`);
  }
  if (config.heartbeat) lines.push(`sends a HEARTBEAT every ${formatDuration(config.heartbeat.intervalMs)} as system ${config.heartbeat.sysid}, component ${config.heartbeat.compid}`);
  const plan = compileMessagePlan(loadDialectSync(config.dialect), config.selection);
  for (const message of config.messages.values()) {
    const records = plan.records(message.name) ?? [];
    const instance = INSTANCE_FIELDS[message.name];
    const vars = { message: message.name.toLowerCase(), instance: instance ? '{instance}' : '', sysid: '{sysid}', compid: '{compid}' } as unknown as { message: string; instance: string; sysid: number; compid: number };
    const names = records.map((r) => {
      const rendered = renderMetricName(message.metric, { ...vars, field: r.name });
      return `${rendered.ok ? rendered.text : r.name}${r.unit ? ` [${r.unit}]` : ''}`;
    });
    const filter = message.filter;
    const limits = [
      filter?.minIntervalMs !== undefined ? `at most ${Number((1000 / filter.minIntervalMs).toFixed(3))}/s per series` : '',
      filter?.onChange ? `on change${filter.maxIntervalMs !== undefined ? ` (at least every ${formatDuration(filter.maxIntervalMs)})` : ''}` : '',
      instance && !message.metric.placeholders.includes('instance') ? `tag instance = ${instance}` : '',
    ].filter(Boolean);
    lines.push(`${message.name}${limits.length > 0 ? ` (${limits.join('; ')})` : ''}: ${names.join(', ')}`);
  }
  return lines;
}

/** `--list-messages [NAME]`: the dialect's messages, or one message's fields, then exit. */
async function handleListMessages(options: Record<string, unknown>, section: MavlinkConfig, io: BridgeCliIo): Promise<number | undefined> {
  const wanted = options.listMessages;
  if (wanted === undefined) return undefined;
  const dialect = loadDialectSync(section.dialect ?? MAVLINK_DEFAULTS.dialect);
  if (wanted === true) {
    io.stdout.write(formatMessageList(dialect));
    return 0;
  }
  const text = formatMessageFields(dialect, String(wanted));
  if (text === undefined) {
    io.stderr.write(`--list-messages ${String(wanted)}: the ${dialect.name} dialect has no such message (run --list-messages alone for the list)\n`);
    return 2;
  }
  io.stdout.write(text);
  return 0;
}

/**
 * The MAVLink bridge: the `mavlink:` section's schema and how to run it. Run it with the core's
 * `startBridge(mavlinkBridge, config)` or from the command line (`bridge-mavlink --config FILE`).
 */
export const mavlinkBridge = defineBridge({
  name: 'mavlink',
  starter: () => MAVLINK_STARTER,
  version: packageVersion(import.meta.url),
  reads: 'MAVLink telemetry (UDP, TCP, serial, tlog)',
  configSchema: mavlinkConfigSchema,
  check: checkMavlink,
  pointTags: mavlinkPointTags,
  describe: describeMavlink,
  create: (config, ctx) => createMavlinkSource(config, ctx),
  cli: {
    options: [
      {
        flags: '--list-messages [message]',
        inspects: true,
        description: "list the dialect's messages, or one message's fields with their units (what to put under messages:), then exit",
      },
      SCAN_OPTION,
    ],
    handle: async (options, section, io) => (await handleListMessages(options, section, io)) ?? handleScan(options, section, io),
  },
});
