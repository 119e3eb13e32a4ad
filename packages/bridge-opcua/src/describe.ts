import { isAbsolute } from 'node:path';
import { formatDuration, type DescribeContext } from '@fieldbridge/core/bridge';
import type { OpcuaConfig, OpcuaEventConfig, OpcuaFolderConfig, OpcuaNodeConfig } from './config.js';
import { authOf, CONNECTION_DEFAULTS, PKI_FOLDER, pkiDir } from './connect-options.js';
import { parseEndpoint } from './endpoint.js';
import { DEFAULT_EVENT_FIELDS } from './event-fields.js';
import { describeIdentity } from './identity.js';
import { OPCUA_DEFAULTS, planOpcua } from './plan.js';

function where(entry: { node_id?: string | undefined; browse_path?: string | undefined }, fallback = ''): string {
  if (entry.node_id !== undefined) return entry.node_id;
  if (entry.browse_path !== undefined) return `Objects/${entry.browse_path.replace(/^\//, '')}`;
  return fallback;
}

function sampling(entry: OpcuaNodeConfig | OpcuaFolderConfig, config: OpcuaConfig): string {
  const parts = [`sampling ${entry.sampling_interval_ms === undefined ? 'at the publishing interval' : formatDuration(entry.sampling_interval_ms)}`];
  parts.push(`queue ${entry.queue_size ?? OPCUA_DEFAULTS.queueSize}`);
  if (entry.deadband !== undefined) parts.push(`deadband ${entry.deadband}${typeof entry.deadband === 'number' ? ' (absolute)' : ' of the EURange'}`);
  parts.push(`timestamp ${entry.timestamp ?? OPCUA_DEFAULTS.timestamp}`);
  if (entry.unit !== undefined) parts.push(`unit ${entry.unit}`);
  parts.push(`not Good: ${(entry.quality ?? config.quality ?? OPCUA_DEFAULTS.quality) === 'tag' ? 'tagged' : 'dropped'}`);
  const hz = entry.max_rate_hz ?? config.max_rate_hz;
  if (hz !== undefined) parts.push(`at most ${hz}/s`);
  if (entry.on_change ?? config.on_change) parts.push('on change');
  if (entry.tags !== undefined) parts.push(`tags ${JSON.stringify(entry.tags)}`);
  return parts.join(', ');
}

function describeEvent(event: OpcuaEventConfig): string {
  const fields = event.fields ?? DEFAULT_EVENT_FIELDS;
  const severity = event.where === undefined ? '' : ` where Severity or LastSeverity >= ${event.where.min_severity} (raises and their returns to normal)`;
  const branches = event.branches ? ', condition branches too' : '';
  return `${event.metric} <- events of ${where(event, 'the Server object (i=2253)')}${severity}${branches}: ${fields.join(', ')}`;
}

/**
 * Where the client certificate is, as `--check` shows it: the folder used when `context` says
 * where the spool is, else the rule that picks it; in memory with security None and no `pki`.
 */
function pkiText(config: OpcuaConfig, context: DescribeContext | undefined): string {
  if (config.pki !== undefined) return `in ${config.pki}`;
  if ((config.security?.mode ?? 'None') === 'None') return 'made in memory (security None: no PKI folder)';
  if (context === undefined) return `in ${PKI_FOLDER.inSpool}/ in sink.buffer.path (else ./${PKI_FOLDER.alone})`;
  const dir = pkiDir(config, context.stateDir);
  return `in ${isAbsolute(dir) || dir.startsWith('.') ? dir : `./${dir}`}`;
}

/**
 * Lines `--check` prints: the server and how the client connects (the identity by name, never
 * its password), where its certificate is kept (the folder itself when `context` tells the spool's
 * folder, as `--check` does) and how the server's is trusted, then one line per node, folder and
 * event notifier.
 */
export function describeOpcua(config: OpcuaConfig, context?: DescribeContext): string[] {
  const endpoint = parseEndpoint(config.endpoint);
  const url = endpoint.ok ? endpoint.endpoint.url : config.endpoint;
  const security = config.security ?? { mode: 'None' };
  const policy = security.mode === 'None' ? '' : `/${security.policy ?? 'the strongest current policy offered'}`;
  const auth = authOf(config);
  const identity = auth.kind === 'username' ? `${describeIdentity(auth)} with a password` : describeIdentity(auth);
  const pki = pkiText(config, context);
  const trust = config.trust ?? CONNECTION_DEFAULTS.trust;
  const serverTrust = security.mode === 'None' ? 'server certificate not checked (security None)' : `server trust ${trust}${trust === 'always' ? ' (insecure)' : ''}`;
  const publishing = formatDuration(config.publishing_interval_ms ?? OPCUA_DEFAULTS.publishingIntervalMs);
  const lines = [
    `${url}: security ${security.mode}${policy}, login ${identity}, certificate ${pki}, ${serverTrust}, publishing every ${publishing}`,
  ];
  const planned = planOpcua(config);
  const metrics = new Map(planned.ok ? [...planned.plan.routes.values()].map((r) => [r.entry, r.kind === 'value' ? r.metric : undefined] as const) : []);
  (config.nodes ?? []).forEach((node, i) => lines.push(`  ${metrics.get(`nodes[${i}]`) ?? node.metric} <- ${where(node)} (${sampling(node, config)})`));
  for (const folder of config.folders ?? []) {
    const rescanMs = folder.rescan_s ?? config.rescan_s ?? OPCUA_DEFAULTS.rescanMs;
    const rescan = rescanMs === 0 ? 'browsed only when subscribing' : `browsed again every ${formatDuration(rescanMs)}`;
    const bounds = `depth ${folder.max_depth ?? OPCUA_DEFAULTS.maxDepth}, at most ${folder.max_items ?? OPCUA_DEFAULTS.maxItems} variables, ${rescan}`;
    lines.push(`  ${folder.metric} <- every variable below ${where(folder)} (${bounds}; ${sampling(folder, config)})`);
  }
  for (const event of config.events ?? []) lines.push(`  ${describeEvent(event)}`);
  return lines;
}
