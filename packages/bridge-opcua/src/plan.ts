import { renderMetricName, type ChangeFilterOptions, type SectionIssue, type Tags, type Template } from '@fieldbridge/core/bridge';
import type { OpcuaConfig, OpcuaEventConfig, OpcuaFolderConfig, OpcuaNodeConfig } from './config.js';
import { isOpcuaBridgeError } from './errors.js';
import { planEventSelects } from './event-fields.js';
import { parseLocation, type Deadband, type EventSpec, type FolderSpec, type Location, type VariableSpec } from './item-spec.js';
import type { MetricNameMode } from './metric-names.js';
import { compileEventTemplate, compilePathTemplate, eventFieldsRead, type EventVars, type PathVars } from './metric-template.js';
import type { TimestampMode } from './records.js';

/** The defaults of the `opcua:` section. */
export const OPCUA_DEFAULTS = {
  publishingIntervalMs: 1000,
  queueSize: 10,
  eventQueueSize: 1000,
  maxDepth: 5,
  maxItems: 1000,
  rescanMs: 300_000,
  timestamp: 'source' as TimestampMode,
  quality: 'tag' as QualityRule,
} as const;

/** `tag`: a value whose status is not Good is sent with tags `quality` and `status`; `drop`: it is not sent. */
export type QualityRule = 'tag' | 'drop';

/** How the records of one monitored variable (or each variable of a folder) become points. */
export interface ValueRoute {
  kind: 'value';
  /** The item's key: its name in problems and logs (the metric as written, made unique). */
  key: string;
  /** Where the entry is in the section, e.g. `nodes[2]`. */
  entry: string;
  /** The metric name, for a node (known at load time); undefined for a folder. */
  metric?: string;
  /** A node's `metric` was made from its browse path by a template (`boiler.{name}`). */
  fromPath?: true;
  /** A folder's template, filled per variable with its browse path below the folder. */
  template?: Template<PathVars>;
  /** The entry's tags and `unit`, or undefined when it has none. */
  tags: Tags | undefined;
  quality: QualityRule;
  /** The client-side change filter (`max_rate_hz`, `on_change`), or undefined for none. */
  filter: ChangeFilterOptions | undefined;
}

/** How the events of one notifier become event points. */
export interface EventRoute {
  kind: 'event';
  key: string;
  entry: string;
  template: Template<EventVars>;
  tags: Tags | undefined;
  /** Send events of condition branches (BranchId not null) too; false leaves them out. */
  branches: boolean;
}

/** A compiled `opcua:` section: what to monitor, and how its records become points. */
export interface OpcuaPlan {
  variables: VariableSpec[];
  folders: FolderSpec[];
  events: EventSpec[];
  /** Routes by item key. */
  routes: Map<string, ValueRoute | EventRoute>;
}

/** {@link planOpcua}'s answer: the plan, or the issues of the entries that could not be compiled (paths relative to the section). */
export type PlanResult = { ok: true; plan: OpcuaPlan } | { ok: false; issues: SectionIssue[] };

/** The deadband a `deadband` key gives: a number is absolute, `5%` is a percentage of the EURange. */
export function parseDeadband(value: number | string | undefined): Deadband | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { type: 'absolute', value };
  return { type: 'percent', value: Number(value.trim().replace(/\s*%$/, '')) };
}

function tagsOf(entry: { tags?: Tags | undefined; unit?: string | undefined }): Tags | undefined {
  if (entry.tags === undefined && entry.unit === undefined) return undefined;
  return { ...entry.tags, ...(entry.unit === undefined ? {} : { unit: entry.unit }) };
}

function filterOf(section: OpcuaConfig, entry: OpcuaNodeConfig | OpcuaFolderConfig): ChangeFilterOptions | undefined {
  const hz = entry.max_rate_hz ?? section.max_rate_hz;
  const onChange = entry.on_change ?? section.on_change ?? false;
  if (hz === undefined && !onChange) return undefined;
  return { ...(hz === undefined ? {} : { minIntervalMs: 1000 / hz }), ...(onChange ? { onChange: true } : {}) };
}

/**
 * Compiles the `opcua:` section: each entry's location, metric template, event fields, tags and
 * filters, into the specs the subscription takes and the routes its records follow. Pure; every
 * entry that cannot be compiled is an issue located at its key.
 */
export function planOpcua(section: OpcuaConfig): PlanResult {
  const issues: SectionIssue[] = [];
  const plan: OpcuaPlan = { variables: [], folders: [], events: [], routes: new Map() };
  const keyOf = (source: string, entry: string): string => (plan.routes.has(source) ? `${source} (${entry})` : source);
  const locate = (where: (string | number)[], spec: { node_id?: string | undefined; browse_path?: string | undefined }, what: string, fallback?: string): Location | undefined => {
    try {
      return parseLocation({ ...(spec.node_id === undefined ? {} : { nodeId: spec.node_id }), ...(spec.browse_path === undefined ? {} : { browsePath: spec.browse_path }) }, what, fallback);
    } catch (err) {
      if (!isOpcuaBridgeError(err)) throw err;
      // Both given: the second one is the mistake to point at; neither: the entry itself.
      const key = spec.browse_path !== undefined ? 'browse_path' : spec.node_id !== undefined ? 'node_id' : undefined;
      issues.push({ path: key ? [...where, key] : where, message: err.message.replace(`${what}: `, '') });
      return undefined;
    }
  };
  const sampling = (entry: OpcuaNodeConfig | OpcuaFolderConfig) => ({
    ...(entry.sampling_interval_ms === undefined ? {} : { samplingIntervalMs: entry.sampling_interval_ms }),
    ...(entry.queue_size === undefined ? {} : { queueSize: entry.queue_size }),
    ...(entry.deadband === undefined ? {} : { deadband: parseDeadband(entry.deadband)! }),
    timestamps: entry.timestamp ?? OPCUA_DEFAULTS.timestamp,
  });
  const deadbandOk = (entry: OpcuaNodeConfig | OpcuaFolderConfig, where: (string | number)[]): void => {
    const band = parseDeadband(entry.deadband);
    if (band?.type === 'percent' && band.value > 100) issues.push({ path: [...where, 'deadband'], message: `a percent deadband of ${band.value}% is above 100%` });
  };

  /** Series (metric name and tags) already named by a node, by its index. */
  const series = new Map<string, number>();
  section.nodes?.forEach((node, i) => {
    const entry = `nodes[${i}]`;
    const where = ['nodes', i];
    const location = locate(where, node, entry);
    deadbandOk(node, where);
    const metric = nodeMetric(node, section.metric_names ?? 'as_browsed', location, where, issues);
    if (!location || metric === undefined) return;
    // Two values under one name and the same tags would be one series of the receiver, mixed.
    const seriesKey = JSON.stringify([metric, Object.entries(tagsOf(node) ?? {}).sort()]);
    const first = series.get(seriesKey);
    if (first !== undefined) {
      issues.push({ path: [...where, 'metric'], message: `"${metric}" is already the metric of nodes[${first}] with the same tags: the two values would mix in one series; give one another name or a tag` });
      return;
    }
    series.set(seriesKey, i);
    const key = keyOf(node.metric, entry);
    plan.variables.push({ key, ...(node.node_id === undefined ? { browsePath: node.browse_path! } : { nodeId: node.node_id }), ...sampling(node) });
    plan.routes.set(key, { kind: 'value', key, entry, metric, ...(node.metric.includes('{') ? { fromPath: true as const } : {}), tags: tagsOf(node), quality: node.quality ?? section.quality ?? OPCUA_DEFAULTS.quality, filter: filterOf(section, node) });
  });

  section.folders?.forEach((folder, i) => {
    const entry = `folders[${i}]`;
    const where = ['folders', i];
    const location = locate(where, folder, entry);
    deadbandOk(folder, where);
    const compiled = compilePathTemplate(folder.metric, section.metric_names ?? 'as_browsed');
    if (!compiled.ok) issues.push({ path: [...where, 'metric'], message: compiled.message });
    if (!location || !compiled.ok) return;
    const key = keyOf(folder.metric, entry);
    plan.folders.push({
      key,
      ...(folder.node_id === undefined ? { browsePath: folder.browse_path! } : { nodeId: folder.node_id }),
      ...sampling(folder),
      maxDepth: folder.max_depth ?? OPCUA_DEFAULTS.maxDepth,
      maxItems: folder.max_items ?? OPCUA_DEFAULTS.maxItems,
      rescanMs: folder.rescan_s ?? section.rescan_s ?? OPCUA_DEFAULTS.rescanMs,
    });
    plan.routes.set(key, { kind: 'value', key, entry, template: compiled.template, tags: tagsOf(folder), quality: folder.quality ?? section.quality ?? OPCUA_DEFAULTS.quality, filter: filterOf(section, folder) });
  });

  section.events?.forEach((event, i) => {
    const entry = `events[${i}]`;
    const where = ['events', i];
    const location = locate(where, event, entry, 'i=2253');
    const template = eventTemplate(event, where, issues);
    if (!location || !template) return;
    const key = keyOf(event.metric, entry);
    plan.events.push({
      key,
      ...(event.browse_path === undefined ? { nodeId: event.node_id ?? 'i=2253' } : { browsePath: event.browse_path }),
      ...(event.fields === undefined ? {} : { fields: event.fields }),
      ...(event.where === undefined ? {} : { minSeverity: event.where.min_severity }),
      ...(event.queue_size === undefined ? {} : { queueSize: event.queue_size }),
      timestamps: event.timestamp ?? 'source',
    });
    plan.routes.set(key, { kind: 'event', key, entry, template, tags: event.tags === undefined ? undefined : { ...event.tags }, branches: event.branches ?? false });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, plan };
}

/** A node's metric name: the template filled with the browse path's names (a node_id has none). */
function nodeMetric(node: OpcuaNodeConfig, mode: MetricNameMode, location: Location | undefined, where: (string | number)[], issues: SectionIssue[]): string | undefined {
  const compiled = compilePathTemplate(node.metric, mode);
  if (!compiled.ok) {
    issues.push({ path: [...where, 'metric'], message: compiled.message });
    return undefined;
  }
  if (compiled.template.constant === undefined && location?.kind === 'node') {
    issues.push({ path: [...where, 'metric'], message: `{${compiled.template.placeholders[0]}} needs browse_path (a node_id has no browse path): write the metric name out` });
    return undefined;
  }
  if (!location) return undefined;
  const path = location.kind === 'path' ? location.steps.map((s) => s.name) : [];
  const rendered = renderMetricName(compiled.template, { path });
  if (!rendered.ok) {
    issues.push({ path: [...where, 'metric'], message: rendered.message });
    return undefined;
  }
  return rendered.text;
}

function eventTemplate(event: OpcuaEventConfig, where: (string | number)[], issues: SectionIssue[]): Template<EventVars> | undefined {
  let fields: string[];
  try {
    fields = planEventSelects(event.fields, 'fields').map((s) => s.field);
  } catch (err) {
    if (!isOpcuaBridgeError(err)) throw err;
    issues.push({ path: [...where, 'fields'], message: err.message.replace('fields: ', '') });
    return undefined;
  }
  const compiled = compileEventTemplate(event.metric);
  if (!compiled.ok) {
    issues.push({ path: [...where, 'metric'], message: compiled.message });
    return undefined;
  }
  const missing = eventFieldsRead(compiled.template).filter((f) => !fields.includes(f));
  if (missing.length > 0) {
    issues.push({ path: [...where, 'metric'], message: `the metric reads ${missing.join(' and ')}: add ${missing.length > 1 ? 'them' : 'it'} to fields` });
    return undefined;
  }
  return compiled.template;
}
