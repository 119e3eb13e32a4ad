import type { SectionIssue } from '@fieldbridge/core/bridge';
import { MAVLINK_DEFAULTS, type MavlinkConfig } from './config.js';
import { EVENT_MESSAGES, type FieldSelection } from './default-fields.js';
import { loadDialectSync, type Dialect } from './dialect.js';
import { isMavlinkBridgeError } from './errors.js';
import { parseLinkUrl, type LinkSpec } from './link-url.js';
import { compileMessagePlan } from './message-plan.js';
import { heartbeatIntervalMs, messageParts } from './resolve.js';
import { parseSigningKey } from './signing.js';
import { compileMetricTemplate, compileSourceIdTemplate } from './templates.js';

type Path = (string | number)[];

/**
 * The checks of a `mavlink:` section the schema cannot express (`definition.check`), so that
 * `--check` refuses all a run would: the connection URL, the templates, every message, field,
 * unit and enum against the dialect (loaded from node-mavlink here, synchronously), the signing
 * key, heartbeats a connection cannot send, repeated ids. Pure apart from reading node-mavlink's
 * tables; every issue's path is relative to the section.
 */
export function checkMavlink(section: MavlinkConfig): SectionIssue[] {
  const issues: SectionIssue[] = [];
  const refuse = (path: Path, message: string, atKey = false): void => {
    issues.push({ path, message, ...(atKey ? { atKey } : {}) });
  };
  const connection = parseLinkUrl(section.connection);
  if (!connection.ok) refuse(['connection'], connection.message);
  const sourceId = compileSourceIdTemplate(section.source_id ?? MAVLINK_DEFAULTS.sourceId);
  if (!sourceId.ok) refuse(['source_id'], sourceId.message);
  const metric = compileMetricTemplate(section.metric ?? MAVLINK_DEFAULTS.metric);
  if (!metric.ok) refuse(['metric'], metric.message);
  checkIds(section.systems, 'systems', refuse);
  checkIds(section.components, 'components', refuse);
  if (section.max_interval !== undefined && !section.on_change) refuse(['max_interval'], 'max_interval applies with on_change: true (it sends an unchanged value once it is this old)');
  checkHeartbeat(section, connection.ok ? connection.spec : undefined, refuse);
  checkSigning(section.signing, refuse);
  if (section.messages) checkMessages(section, refuse);
  return issues;
}

function checkIds(ids: readonly number[] | undefined, key: string, refuse: (path: Path, message: string) => void): void {
  const seen = new Set<number>();
  ids?.forEach((id, i) => {
    if (seen.has(id)) refuse([key, i], `${id} is listed twice`);
    seen.add(id);
  });
}

function checkHeartbeat(section: MavlinkConfig, connection: LinkSpec | undefined, refuse: (path: Path, message: string) => void): void {
  const interval = heartbeatIntervalMs(section, connection);
  if (interval > 0 && interval < 100) refuse(['heartbeat', 'interval_s'], 'send heartbeats at most every 100ms, or 0 for none');
  if (interval > 0 && connection?.kind === 'tlog') refuse(['heartbeat', 'interval_s'], 'a .tlog replay cannot send heartbeats: set interval_s: 0 or remove heartbeat');
  if (interval === 0 && connection?.kind === 'udpout' && section.heartbeat?.interval_s === 0) {
    refuse(['heartbeat', 'interval_s'], 'on udpout the vehicle learns where to send from the heartbeats: leave them on');
  }
}

function checkSigning(signing: MavlinkConfig['signing'], refuse: (path: Path, message: string) => void): void {
  if (!signing) return;
  if ((signing.key === undefined) === (signing.passphrase === undefined)) {
    refuse(['signing'], 'give the key as passphrase or as key (one of them), from the environment: passphrase: ${MAVLINK_SIGNING_PASSPHRASE}');
    return;
  }
  if (signing.key !== undefined) {
    const parsed = parseSigningKey(signing.key);
    if (!parsed.ok) refuse(['signing', 'key'], parsed.message);
  }
}

function checkMessages(section: MavlinkConfig, refuse: (path: Path, message: string, atKey?: boolean) => void): void {
  const messages = section.messages ?? {};
  const selection: Record<string, FieldSelection> = {};
  /** Where each message's field list sits in the mapping, by upper-case name. */
  const where = new Map<string, { key: string; nested: boolean }>();
  for (const [key, entry] of Object.entries(messages)) {
    const name = key.toUpperCase();
    const first = where.get(name);
    if (first) {
      refuse(['messages', key], `${name} is already listed as ${first.key}`);
      continue;
    }
    const parts = messageParts(entry);
    where.set(name, { key, nested: !(typeof entry === 'string' || Array.isArray(entry)) });
    selection[name] = parts.fields;
    if (parts.metric !== undefined) {
      const compiled = compileMetricTemplate(parts.metric);
      if (!compiled.ok) refuse(['messages', key, 'metric'], compiled.message);
    }
    if (parts.filter.max_interval !== undefined && !(parts.filter.on_change ?? (EVENT_MESSAGES.has(name) ? false : section.on_change))) {
      refuse(['messages', key, 'max_interval'], 'max_interval applies with on_change: true (it sends an unchanged value once it is this old)');
    }
  }
  let dialect: Dialect;
  try {
    dialect = loadDialectSync(section.dialect ?? MAVLINK_DEFAULTS.dialect);
  } catch (err) {
    refuse(['dialect'], (err as Error).message);
    return;
  }
  try {
    compileMessagePlan(dialect, selection);
  } catch (err) {
    if (!isMavlinkBridgeError(err, 'BAD_MESSAGES')) throw err;
    for (const issue of err.issues) {
      const [name, ...rest] = issue.path;
      const at = where.get(String(name));
      if (!at) continue;
      // A field written as a bare name has no `field` key to point at: point at the name.
      const list = selection[String(name)];
      if (rest[1] === 'field' && Array.isArray(list) && typeof list[rest[0] as number] === 'string') rest.pop();
      refuse(['messages', at.key, ...(rest.length > 0 && at.nested ? ['fields'] : []), ...rest], issue.message, issue.atKey === true && rest.length === 0);
    }
  }
}
