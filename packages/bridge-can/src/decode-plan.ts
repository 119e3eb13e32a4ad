import { renderMetricName, type ChangeFilterOptions, type SectionIssue, type Tags } from '@fieldbridge/core/bridge';
import { pgnOf } from './bits/j1939.js';
import { formatDbcProblem } from './dbc/parse-dbc.js';
import type { DbcDatabase, DbcMessage, DbcProblem, DbcSignal } from './dbc/types.js';
import { createCanDecoder, type CanDecoder } from './decode/can-decoder.js';
import type { MessageDecoder, SignalValues } from './decode/message-decoder.js';
import type { SignalTag } from './config.js';
import type { ResolvedCan, SignalNaming } from './resolve.js';
import { globMatch } from '@fieldbridge/core/bridge';
import { exactIdPgns } from './pgn-hint.js';
import { nearestName, selected, signalPatternMatches } from './select.js';

/** Frames hold at most 64 bytes: a message declared longer arrives through J1939's transport protocol. */
export const MAX_FRAME_BYTES = 64;

/** The names and tags of one signal's points (for one J1939 source address, when that matters). */
export interface SignalNames {
  metric: string;
  /** `<metric>.text` for signals with a value table under `value_text: point`. */
  textMetric: string | undefined;
  /** The tags of its points, shared by all of them; undefined when none. */
  tags: Tags | undefined;
}

/** One selected signal: where the decoder puts it, and what its points are called. */
export interface SignalPlan {
  /** Index in the decoder's `signals` (and value arrays). */
  index: number;
  signal: DbcSignal;
  /** Index in {@link CanPlan.rules}, or -1 when nothing is held back. */
  rule: number;
  /** The names, when they do not depend on the frame's source address. */
  names: SignalNames | undefined;
  /** Names per J1939 source address, made when first needed (at most 256). */
  bySource: Map<number, SignalNames> | undefined;
  /** Tags with `text` per raw value, under `value_text: tag` (bounded by the value table). */
  textTags: Map<number, Tags> | undefined;
  /** The metric template and unit of the `per_signal` entry that takes it, when it names them. */
  naming: SignalNaming | undefined;
}

/** One selected message: its decoder, reusable value arrays, and the selected signals in decoding order. */
export interface MessagePlan {
  decoder: MessageDecoder;
  values: SignalValues;
  signals: SignalPlan[];
  /** Declared longer than a frame can be (J1939 transport protocol): short frames are expected, not problems. */
  longerThanFrames: boolean;
  /** Names of the selected signals: a short frame missing only others is no problem. */
  selectedNames: ReadonlySet<string>;
}

/** Everything decoding needs, made once from the DBC files and the section. */
export interface CanPlan {
  bus: string;
  decoder: CanDecoder;
  /** Selected messages; a message the section leaves out has no entry. */
  messages: Map<MessageDecoder, MessagePlan>;
  /** Change-filter options per rule (undefined: nothing held back); `SignalPlan.rule` indexes it. */
  rules: (ChangeFilterOptions | undefined)[];
  valueText: 'point' | 'tag' | 'off';
  tags: Tags | undefined;
  unknown: { forward: boolean; rule: number; render(id: number, extended: boolean): string };
  /** The tags taken from the DBC and the frame (`signal_tags`). */
  signalTags: ReadonlySet<SignalTag>;
  template: ResolvedCan['metric'];
  /** `j1939_dm1`: DM1 trouble codes read without a DBC entry. */
  dm1: boolean;
  /** Extended messages read only at their exact id, by PGN (see `exactIdPgns`): an unknown id of such a PGN says how to read it. */
  exactPgns: ReadonlyMap<number, DbcMessage>;
  /** DBC problems, and messages left out because they share an id. */
  dbcProblems: DbcProblem[];
  /** Counts for `describe` and the start log. */
  summary: { messages: number; signals: number; selectedMessages: number; selectedSignals: number };
}

const spnOf = (s: DbcSignal): string | undefined => {
  const spn = s.attributes.SPN;
  return typeof spn === 'number' && spn > 0 ? String(spn) : undefined;
};

/**
 * Compiles the decoders of `database` and the section's choices into a {@link CanPlan}: which
 * messages and signals are read, the metric names and tags of their points (rendered once),
 * and which change-filter rule each signal follows. Pure. The issues are located in the
 * section: include patterns and `per_signal` entries that match nothing, a selection that
 * leaves nothing, metric names that collide or do not fit.
 */
export function planCan(database: DbcDatabase, config: ResolvedCan, dbcProblems: readonly DbcProblem[] = []): { plan: CanPlan; issues: SectionIssue[] } {
  const issues: SectionIssue[] = [];
  const decoder = createCanDecoder(database, { j1939: config.j1939 });
  const ruleList = [config.defaults, ...config.perSignal.map((p) => p.rule)];
  const rules = ruleList.map((r) => r.filter);
  const withSourceAddressTag = config.signalTags.has('source_address');
  const plan: CanPlan = {
    bus: config.bus,
    dm1: config.dm1,
    decoder,
    messages: new Map(),
    rules: [...rules, config.unknown.rule.filter],
    valueText: config.valueText,
    tags: config.tags,
    unknown: {
      forward: config.unknown.forward,
      rule: config.unknown.rule.filter ? rules.length : -1,
      render: (id, extended) => {
        const r = renderMetricName(config.unknown.metric, { id, extended, bus: config.bus });
        return r.ok ? r.text : `can.unknown.${id}`;
      },
    },
    signalTags: config.signalTags,
    template: config.metric,
    dbcProblems: [...dbcProblems, ...decoder.problems],
    exactPgns: exactIdPgns(decoder.decoders),
    summary: { messages: decoder.decoders.length, signals: 0, selectedMessages: 0, selectedSignals: 0 },
  };
  const usedInclude = { messages: new Set<number>(), signals: new Set<number>() };
  const usedExclude = { messages: new Set<number>(), signals: new Set<number>() };
  const usedRule = new Set<number>();
  const names = new Map<string, string>();
  const noteUse = (patterns: readonly string[] | undefined, used: Set<number>, test: (p: string) => boolean): void =>
    patterns?.forEach((p, i) => {
      if (!used.has(i) && test(p)) used.add(i);
    });

  for (const messageDecoder of decoder.decoders) {
    const message = messageDecoder.message;
    plan.summary.signals += message.signals.length;
    noteUse(config.messages.include, usedInclude.messages, (p) => globMatch(p, message.name));
    noteUse(config.messages.exclude, usedExclude.messages, (p) => globMatch(p, message.name));
    for (const signal of messageDecoder.signals) noteUse(config.signals.exclude, usedExclude.signals, (p) => signalPatternMatches(p, message.name, signal.name));
    if (!selected(config.messages, (p) => globMatch(p, message.name))) continue;
    const signals: SignalPlan[] = [];
    messageDecoder.signals.forEach((signal, index) => {
      const fits = (p: string): boolean => signalPatternMatches(p, message.name, signal.name);
      noteUse(config.signals.include, usedInclude.signals, fits);
      if (!selected(config.signals, fits)) return;
      const entry = config.perSignal.findIndex((p) => fits(p.match));
      if (entry >= 0) usedRule.add(entry);
      const ruleIndex = entry >= 0 ? entry + 1 : 0;
      const naming = entry >= 0 ? config.perSignal[entry]!.naming : undefined;
      const sp: SignalPlan = { index, signal, rule: rules[ruleIndex] ? ruleIndex : -1, names: undefined, bySource: undefined, textTags: undefined, naming };
      const template = naming?.template ?? config.metric;
      const perSource = messageDecoder.byPgn && (template.placeholders.includes('source_address') || withSourceAddressTag);
      const rendered = signalNames(plan, message, signal, perSource ? 0 : undefined, naming);
      // Where the name that does not fit or clashes was written.
      const metricPath = naming?.template ? ['per_signal', entry, 'metric'] : ['metric'];
      if (!rendered.ok || (rendered.names.textMetric?.length ?? 0) > 256) {
        issues.push({ path: metricPath, message: `${message.name}.${signal.name}: ${rendered.ok ? `${rendered.names.textMetric} is longer than 256 characters` : rendered.message}` });
        return;
      }
      const clash = names.get(rendered.names.metric);
      if (clash !== undefined) issues.push({ path: metricPath, message: `${message.name}.${signal.name} and ${clash} both get the metric name ${rendered.names.metric}; use a template that tells them apart (e.g. {message}.{signal})` });
      else names.set(rendered.names.metric, `${message.name}.${signal.name}`);
      if (perSource) sp.bySource = new Map();
      else sp.names = rendered.names;
      if (config.valueText === 'tag' && signal.values) sp.textTags = new Map();
      signals.push(sp);
    });
    if (signals.length === 0) continue;
    plan.messages.set(messageDecoder, { decoder: messageDecoder, values: messageDecoder.createValues(), signals, longerThanFrames: message.length > MAX_FRAME_BYTES, selectedNames: new Set(signals.map((sp) => sp.signal.name)) });
    plan.summary.selectedMessages += 1;
    plan.summary.selectedSignals += signals.length;
  }

  const didYouMean = (pattern: string, what: 'message' | 'signal'): string => {
    const near = nearestName(pattern, what, database);
    return near === undefined ? '' : ` (did you mean ${near}?)`;
  };
  const lostTo = (pattern: string, what: 'message' | 'signal'): string => {
    const problem = plan.dbcProblems.find((d) => d.dropped && droppedMatches(pattern, what, d.dropped));
    if (problem) return `: a problem in the DBC text dropped it (${formatDbcProblem(problem)}); fix the DBC file`;
    return `${didYouMean(pattern, what)}; bridge-can --list-signals shows what they define`;
  };
  const unmatched = (selection: ResolvedCan['messages'], used: Set<number>, what: 'message' | 'signal'): void =>
    selection.include?.forEach((p, i) => {
      if (!used.has(i)) issues.push({ path: [...selection.includePath, i], message: `"${p}" matches no ${what} of ${database.files.join(', ')}${lostTo(p, what)}` });
    });
  unmatched(config.messages, usedInclude.messages, 'message');
  unmatched(config.signals, usedInclude.signals, 'signal');
  // A typo in an exclude pattern leaves in what it was meant to keep out.
  const unexcluded = (selection: ResolvedCan['messages'], used: Set<number>, what: 'message' | 'signal'): void =>
    selection.exclude?.forEach((p, i) => {
      if (!used.has(i)) issues.push({ path: [selection.includePath[0]!, 'exclude', i], message: `"${p}" matches no ${what} of ${database.files.join(', ')}, so it excludes nothing${didYouMean(p, what)}; bridge-can --list-signals shows what they define` });
    });
  unexcluded(config.messages, usedExclude.messages, 'message');
  unexcluded(config.signals, usedExclude.signals, 'signal');
  config.perSignal.forEach((p, i) => {
    if (!usedRule.has(i)) issues.push({ path: ['per_signal', i, 'match'], message: `"${p.match}" matches no signal the section reads (an earlier entry may take them all)` });
  });
  if (plan.summary.selectedSignals === 0 && issues.length === 0) {
    const first = dbcProblems[0];
    const why =
      decoder.decoders.length === 0
        ? `${database.files.join(', ')} define${database.files.length === 1 ? 's' : ''} no message${first ? ` (${dbcProblems.length} problem${dbcProblems.length === 1 ? '' : 's'}, the first ${first.file}:${first.line}:${first.column}: ${first.message})` : ''}`
        : 'the messages and signals keys leave out every signal';
    const narrowed = config.signals.include !== undefined || config.signals.exclude !== undefined ? 'signals' : 'messages';
    issues.push({ path: [decoder.decoders.length === 0 ? 'dbc' : narrowed], message: `nothing to read: ${why}` });
  }
  return { plan, issues };
}

/**
 * True when a `messages` or `signals` pattern names what a DBC problem dropped: the message, or
 * for a signal pattern the signal (or, with a dot, any signal of a dropped message).
 */
function droppedMatches(pattern: string, what: 'message' | 'signal', dropped: NonNullable<DbcProblem['dropped']>): boolean {
  if (what === 'message') return dropped.signal === undefined && globMatch(pattern, dropped.message);
  if (dropped.signal !== undefined) return signalPatternMatches(pattern, dropped.message, dropped.signal);
  return pattern.includes('.') && globMatch(pattern.slice(0, pattern.indexOf('.')), dropped.message);
}

/**
 * The names of one signal's points; for J1939 messages `sourceAddress` is the frame's (0 when
 * rendering once only to check the template).
 */
export function signalNames(
  plan: CanPlan,
  message: DbcMessage,
  signal: DbcSignal,
  sourceAddress: number | undefined,
  naming?: SignalNaming,
): { ok: true; names: SignalNames } | { ok: false; message: string } {
  const j1939 = sourceAddress !== undefined;
  const rendered = renderMetricName(naming?.template ?? plan.template, {
    message: message.name,
    signal: signal.name,
    id: message.id,
    extended: message.extended,
    pgn: message.j1939 || j1939 ? pgnOf(message.id) : undefined,
    sourceAddress,
    bus: plan.bus,
    sender: message.senders[0] ?? '',
  });
  if (!rendered.ok) return rendered;
  const tags: Tags = { ...plan.tags };
  const unit = naming?.unit ?? signal.unit;
  if (plan.signalTags.has('unit') && unit !== '') tags.unit = unit;
  if (j1939 && plan.signalTags.has('source_address')) tags.source_address = String(sourceAddress);
  const spn = plan.signalTags.has('spn') ? spnOf(signal) : undefined;
  if (spn !== undefined) tags.spn = spn;
  return {
    ok: true,
    names: {
      metric: rendered.text,
      textMetric: plan.valueText === 'point' && signal.values ? `${rendered.text}.text` : undefined,
      tags: Object.keys(tags).length > 0 ? tags : undefined,
    },
  };
}
