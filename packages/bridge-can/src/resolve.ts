import { basename } from 'node:path';
import {
  compileTemplate,
  namedPlaceholders,
  reconnectPolicy,
  type ChangeFilterOptions,
  type SectionIssue,
  type Tags,
  type Template,
} from '@fieldbridge/core/bridge';
import { DEFAULT_SIGNAL_TAGS, type CanConfig, type SignalTag } from './config.js';
import { kernelFilter, type CanIdFilter } from './frames/socketcan-reader.js';
import { parseInterface, type InterfaceSpec } from './interface-spec.js';
import { toSelection, type NameSelection } from './select.js';

/** The defaults of the `can:` section. */
export const CAN_DEFAULTS = {
  metric: '{message}.{signal}',
  valueText: 'point',
  unknownMetric: 'can.unknown.{id}',
  maxUnknownIds: 1000,
  burstFrames: 9000,
} as const;

/** What a metric-name template is filled from, per signal (and per J1939 source address). */
export interface MetricVars {
  message: string;
  signal: string;
  /** The message's id (for J1939 messages, as the DBC writes it). */
  id: number;
  extended: boolean;
  /** J1939 messages only. */
  pgn: number | undefined;
  /** J1939 messages only: the frame's source address. */
  sourceAddress: number | undefined;
  bus: string;
  /** The message's first sender in the DBC, '' when none. */
  sender: string;
}

/** What the template of forwarded unknown frames is filled from. */
export interface UnknownVars {
  id: number;
  extended: boolean;
  bus: string;
}

/** `0x1F0` (3 digits) for standard ids, `0x18FEF100` (8 digits) for extended ones. */
export function formatId(id: number, extended: boolean): string {
  return `0x${id.toString(16).toUpperCase().padStart(extended ? 8 : 3, '0')}`;
}

/** Placeholders of `metric`. J1939 ones are empty for other messages (the empty segment is then dropped). */
export const METRIC_PLACEHOLDERS = namedPlaceholders<MetricVars>({
  message: (v) => v.message,
  signal: (v) => v.signal,
  id: (v) => formatId(v.id, v.extended),
  pgn: (v) => v.pgn ?? '',
  source_address: (v) => v.sourceAddress ?? '',
  bus: (v) => v.bus,
  sender: (v) => v.sender,
});

/** Placeholders of `unknown_frames.metric`. */
export const UNKNOWN_PLACEHOLDERS = namedPlaceholders<UnknownVars>({
  id: (v) => formatId(v.id, v.extended),
  bus: (v) => v.bus,
});

/** A change-filter rule: the section's defaults, or a `per_signal` entry over them. */
export interface ChangeRule {
  /** What the kit's change filter is given; undefined when nothing is held back. */
  filter: ChangeFilterOptions | undefined;
  /** Where it was written (`per_signal[2]`, or `can` for the defaults), for messages. */
  where: string;
}

/** A `per_signal` entry's metric name template and unit, over the section's and the DBC's. */
export interface SignalNaming {
  /** Undefined: the section's `metric`. */
  template: Template<MetricVars> | undefined;
  /** Undefined: the DBC's. */
  unit: string | undefined;
}

/** A `can:` section with its defaults applied and its templates compiled. */
export interface ResolvedCan {
  spec: InterfaceSpec;
  /** The channel's name. */
  bus: string;
  dbc: string[];
  j1939: 'auto' | boolean;
  messages: NameSelection;
  signals: NameSelection;
  metric: Template<MetricVars>;
  valueText: 'point' | 'tag' | 'off';
  signalTags: ReadonlySet<SignalTag>;
  tags: Tags | undefined;
  defaults: ChangeRule;
  perSignal: { match: string; rule: ChangeRule; naming: SignalNaming | undefined }[];
  filters: CanIdFilter[];
  unknown: { forward: boolean; metric: Template<UnknownVars>; maxIds: number; rule: ChangeRule };
  /** `j1939_dm1`: DM1 trouble codes read without a DBC entry. */
  dm1: boolean;
  replay: { pace: 'fast' | 'recorded'; speed: number; loop: boolean; timestamps: 'log' | 'replay'; timeZone: string; timeZoneGiven: boolean; channel: string | undefined };
  socketcan: { timestamps: 'kernel' | 'receipt'; burstFrames: number };
  reconnect: { initialMs: number; maxMs: number };
}

type ChangeKeys = Pick<CanConfig, 'max_rate_hz' | 'on_change' | 'deadband' | 'max_interval'>;

function changeRule(keys: ChangeKeys, where: string, path: (string | number)[], issues: SectionIssue[]): ChangeRule {
  const filter: ChangeFilterOptions = {};
  if (keys.max_rate_hz !== undefined) filter.minIntervalMs = 1000 / keys.max_rate_hz;
  if (keys.on_change) filter.onChange = true;
  if (keys.deadband !== undefined) filter.deadband = keys.deadband;
  if (keys.max_interval !== undefined) {
    if (!keys.on_change && keys.deadband === undefined) issues.push({ path: [...path, 'max_interval'], message: 'max_interval applies with on_change or deadband (it sends a held-back value when the last one sent is this old)' });
    filter.maxIntervalMs = keys.max_interval;
  }
  return { filter: Object.keys(filter).length === 0 ? undefined : filter, where };
}

const idNumber = (value: number | string): number => (typeof value === 'number' ? value : parseInt(value.slice(2), 16));

/**
 * Applies the defaults, compiles the templates and checks what needs no DBC file: the
 * interface, placeholders, filter ids, keys that belong to the other kind of interface, tag
 * counts. Pure; every issue's path is relative to the section.
 */
export function resolveCanConfig(section: CanConfig): { ok: true; config: ResolvedCan } | { ok: false; issues: SectionIssue[] } {
  const issues: SectionIssue[] = [];
  const parsed = parseInterface(section.interface);
  if (!parsed.ok) issues.push({ path: ['interface'], message: parsed.message });
  const spec: InterfaceSpec = parsed.ok ? parsed.spec : { kind: 'socketcan', name: 'can0' };
  if (spec.kind === 'socketcan' && section.replay) issues.push({ path: ['replay'], message: 'replay applies to a file: interface (a log), not to socketcan:' });
  if (spec.kind === 'file' && section.socketcan) issues.push({ path: ['socketcan'], message: 'socketcan applies to a socketcan: interface, not to a file:' });

  const metric = compileTemplate(section.metric ?? CAN_DEFAULTS.metric, METRIC_PLACEHOLDERS);
  if (!metric.ok) issues.push({ path: ['metric'], message: metric.message });
  const unknownMetric = compileTemplate(section.unknown_frames?.metric ?? CAN_DEFAULTS.unknownMetric, UNKNOWN_PLACEHOLDERS);
  if (!unknownMetric.ok) issues.push({ path: ['unknown_frames', 'metric'], message: unknownMetric.message });

  const signalTags = new Set(section.signal_tags ?? DEFAULT_SIGNAL_TAGS);
  if (section.signal_tags && signalTags.size < section.signal_tags.length) issues.push({ path: ['signal_tags'], message: 'lists a tag twice' });
  const tagCount = Object.keys(section.tags ?? {}).length;
  const added = signalTags.size + ((section.value_text ?? CAN_DEFAULTS.valueText) === 'tag' ? 1 : 0);
  const dm1Tags = signalTags.has('interface') ? 'source_address, spn, fmi, interface' : 'source_address, spn, fmi';
  const dm1Count = dm1Tags.split(', ').length;
  if (section.j1939_dm1 && tagCount + dm1Count > 16) issues.push({ path: ['j1939_dm1'], message: `${tagCount} tags plus the ${dm1Count} of a DM1 fault (${dm1Tags}) pass the limit of 16 per point; use fewer` });
  if (tagCount + added > 16) {
    issues.push({ path: ['tags'], message: `${tagCount} tags plus the ${added} the bridge adds (signal_tags${added > signalTags.size ? ', value_text: tag' : ''}) pass the limit of 16 per point; use fewer` });
  }

  const filters: CanIdFilter[] = [];
  section.filters?.forEach((f, i) => {
    const filter: CanIdFilter = { id: idNumber(f.id), ...(f.mask === undefined ? {} : { mask: idNumber(f.mask) }), ...(f.extended ? { extended: true } : {}), ...(f.invert ? { invert: true } : {}) };
    try {
      kernelFilter(filter);
      filters.push(filter);
    } catch (err) {
      issues.push({ path: ['filters', i, filter.id > (f.extended ? 0x1fffffff : 0x7ff) ? 'id' : 'mask'], message: `${(err as Error).message}${f.extended ? '' : ' (add extended: true for 29-bit ids)'}` });
    }
  });

  const defaults = changeRule(section, 'can', [], issues);
  const perSignal = (section.per_signal ?? []).map((entry, i) => ({
    match: entry.match,
    rule: changeRule({ ...section, ...entry }, `per_signal[${i}]`, ['per_signal', i], issues),
    naming: signalNaming(entry, ['per_signal', i], signalTags, issues),
  }));
  const unknown = section.unknown_frames ?? {};
  if (issues.length > 0 || !metric.ok || !unknownMetric.ok) return { ok: false, issues };
  const replay = section.replay ?? {};
  return {
    ok: true,
    config: {
      spec,
      bus: section.bus ?? (spec.kind === 'socketcan' ? spec.name : busFromPath(spec.path)),
      dbc: typeof section.dbc === 'string' ? [section.dbc] : section.dbc,
      j1939: section.j1939 ?? 'auto',
      messages: toSelection('messages', section.messages),
      signals: toSelection('signals', section.signals),
      metric: metric.template,
      valueText: section.value_text ?? CAN_DEFAULTS.valueText,
      signalTags,
      tags: section.tags && Object.keys(section.tags).length > 0 ? section.tags : undefined,
      defaults,
      perSignal,
      filters,
      unknown: {
        forward: unknown.forward ?? false,
        metric: unknownMetric.template,
        maxIds: unknown.max_ids ?? CAN_DEFAULTS.maxUnknownIds,
        rule: changeRule({ max_rate_hz: unknown.max_rate_hz, on_change: unknown.on_change }, 'unknown_frames', ['unknown_frames'], issues),
      },
      dm1: section.j1939_dm1 ?? false,
      replay: { pace: replay.pace ?? 'fast', speed: replay.speed ?? 1, loop: replay.loop ?? false, timestamps: replay.timestamps ?? 'log', timeZone: replay.time_zone ?? 'local', timeZoneGiven: replay.time_zone !== undefined, channel: replay.channel === undefined ? undefined : String(replay.channel) },
      socketcan: { timestamps: section.socketcan?.timestamps ?? 'kernel', burstFrames: section.socketcan?.burst_frames ?? CAN_DEFAULTS.burstFrames },
      reconnect: reconnectPolicy(section.reconnect),
    },
  };
}

/** A channel name from a log's file name: `drive.log` for `file:./logs/drive.log`. */
function busFromPath(path: string): string {
  const name = basename(path).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '').slice(0, 64);
  return name === '' ? 'log' : name;
}

/** The metric template and unit of a `per_signal` entry, compiled; issues at `path`. */
function signalNaming(entry: { metric?: string; unit?: string }, path: (string | number)[], signalTags: ReadonlySet<SignalTag>, issues: SectionIssue[]): SignalNaming | undefined {
  if (entry.metric === undefined && entry.unit === undefined) return undefined;
  let template: Template<MetricVars> | undefined;
  if (entry.metric !== undefined) {
    const compiled = compileTemplate(entry.metric, METRIC_PLACEHOLDERS);
    if (compiled.ok) template = compiled.template;
    else issues.push({ path: [...path, 'metric'], message: compiled.message });
  }
  if (entry.unit !== undefined && !signalTags.has('unit')) issues.push({ path: [...path, 'unit'], message: 'unit is the unit tag, which signal_tags leaves out: add unit to signal_tags' });
  return { template, unit: entry.unit };
}
