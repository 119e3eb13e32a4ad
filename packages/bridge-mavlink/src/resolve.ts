import { reconnectPolicy, type ChangeFilterOptions, type Template } from '@fieldbridge/core/bridge';
import { MAVLINK_DEFAULTS, type MavlinkConfig, type MavlinkMessageConfig } from './config.js';
import { DEFAULT_SELECTION, EVENT_MESSAGES, type FieldSelection, type MessageSelection } from './default-fields.js';
import type { DialectName } from './dialect.js';
import { parseLinkUrl, type LinkSpec } from './link-url.js';
import { parseSigningKey, signingKey } from './signing.js';
import { compileMetricTemplate, compileSourceIdTemplate, type MetricVars, type SourceIdVars } from './templates.js';

/** One message of the section with its defaults applied. */
export interface ResolvedMessage {
  /** The message name as written in the mapping, upper-cased (the dialect's spelling). */
  name: string;
  /** The key as written in the mapping (for locating issues). */
  key: string;
  fields: FieldSelection;
  metric: Template<MetricVars>;
  /** The change filter of its points; undefined when it holds nothing back. */
  filter: ChangeFilterOptions | undefined;
}

/** The `mavlink:` section with every default applied and its templates compiled. */
export interface ResolvedMavlink {
  connection: LinkSpec;
  dialect: DialectName;
  sourceId: Template<SourceIdVars>;
  systems: readonly number[] | undefined;
  components: readonly number[] | undefined;
  /** By upper-case message name. */
  messages: ReadonlyMap<string, ResolvedMessage>;
  /** What `compileMessagePlan` reads: message name to its records. */
  selection: MessageSelection;
  linkTimeoutMs: number;
  /** Heartbeats the bridge sends; undefined for none. */
  heartbeat: { intervalMs: number; sysid: number; compid: number } | undefined;
  signing: { key: Uint8Array; allowUnsigned: boolean; linkId: number } | undefined;
  reconnect: { initialMs: number; maxMs: number };
}

/** `max_rate_hz`, `on_change` and `max_interval` as the kit's change filter takes them, or undefined when all are off. */
export function filterOptions(keys: { max_rate_hz?: number | undefined; on_change?: boolean | undefined; max_interval?: number | undefined }): ChangeFilterOptions | undefined {
  const options: ChangeFilterOptions = {};
  if (keys.max_rate_hz !== undefined) options.minIntervalMs = 1000 / keys.max_rate_hz;
  if (keys.on_change) options.onChange = true;
  if (keys.max_interval !== undefined) options.maxIntervalMs = keys.max_interval;
  return options.minIntervalMs === undefined && !options.onChange ? undefined : options;
}

/** The fields and per-message keys of one `messages` entry, whichever form it was written in. */
export function messageParts(entry: MavlinkMessageConfig): { fields: FieldSelection; metric?: string | undefined; filter: { max_rate_hz?: number | undefined; on_change?: boolean | undefined; max_interval?: number | undefined } } {
  if (typeof entry === 'string' || Array.isArray(entry)) return { fields: entry as FieldSelection, filter: {} };
  const { fields, metric, ...filter } = entry;
  return { fields: (fields ?? 'default') as FieldSelection, metric, filter };
}

/** How often the bridge sends heartbeats on `connection`, in ms (0 for none). */
export function heartbeatIntervalMs(section: Pick<MavlinkConfig, 'heartbeat'>, connection: LinkSpec | undefined): number {
  return section.heartbeat?.interval_s ?? (connection?.kind === 'udpout' ? MAVLINK_DEFAULTS.udpoutHeartbeatMs : 0);
}

function must<T>(result: { ok: true; template: T } | { ok: false; message: string }, what: string): T {
  if (!result.ok) throw new TypeError(`${what}: ${result.message}`);
  return result.template;
}

/**
 * Applies defaults to a `mavlink:` section. Assumes it passed the schema and `checkMavlink`;
 * throws a TypeError naming the key otherwise. Loads nothing: message names are checked against
 * the dialect later, by `compileMessagePlan` (and before that by `checkMavlink`).
 */
export function resolveMavlink(section: MavlinkConfig): ResolvedMavlink {
  const parsed = parseLinkUrl(section.connection);
  if (!parsed.ok) throw new TypeError(`connection: ${parsed.message}`);
  const globalMetric = must(compileMetricTemplate(section.metric ?? MAVLINK_DEFAULTS.metric), 'metric');
  const globalFilter = { max_rate_hz: section.max_rate_hz, on_change: section.on_change, max_interval: section.max_interval };
  const entries: [string, MavlinkMessageConfig][] = section.messages ? Object.entries(section.messages) : Object.entries(DEFAULT_SELECTION as Record<string, MavlinkMessageConfig>);
  const messages = new Map<string, ResolvedMessage>();
  const selection: Record<string, FieldSelection> = {};
  for (const [key, entry] of entries) {
    const parts = messageParts(entry);
    const name = key.toUpperCase();
    const metric = parts.metric === undefined ? globalMetric : must(compileMetricTemplate(parts.metric), `messages.${key}.metric`);
    const inherited = EVENT_MESSAGES.has(name) ? {} : globalFilter;
    messages.set(name, { name, key, fields: parts.fields, metric, filter: filterOptions({ ...inherited, ...defined(parts.filter) }) });
    selection[name] = parts.fields;
  }
  const intervalMs = heartbeatIntervalMs(section, parsed.spec);
  return {
    connection: parsed.spec,
    dialect: section.dialect ?? MAVLINK_DEFAULTS.dialect,
    sourceId: must(compileSourceIdTemplate(section.source_id ?? MAVLINK_DEFAULTS.sourceId), 'source_id'),
    systems: section.systems,
    components: section.components,
    messages,
    selection,
    linkTimeoutMs: section.link_timeout_s ?? MAVLINK_DEFAULTS.linkTimeoutMs,
    heartbeat:
      intervalMs > 0
        ? { intervalMs, sysid: section.heartbeat?.system_id ?? MAVLINK_DEFAULTS.heartbeatSystemId, compid: section.heartbeat?.component_id ?? MAVLINK_DEFAULTS.heartbeatComponentId }
        : undefined,
    signing: section.signing ? { key: signingKeyOf(section.signing), allowUnsigned: section.signing.allow_unsigned ?? false, linkId: section.signing.link_id ?? 0 } : undefined,
    reconnect: reconnectPolicy(section.reconnect),
  };
}

/** The 32-byte key of a `signing` section: `key` as written, or derived from `passphrase`. */
export function signingKeyOf(signing: NonNullable<MavlinkConfig['signing']>): Uint8Array {
  if (signing.key !== undefined) {
    const parsed = parseSigningKey(signing.key);
    if (!parsed.ok) throw new TypeError(`signing.key: ${parsed.message}`);
    return parsed.key;
  }
  if (signing.passphrase === undefined) throw new TypeError('signing: give passphrase or key');
  return signingKey(signing.passphrase);
}

/** The keys that are set, so that a message's own keys override the section's only where given. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
