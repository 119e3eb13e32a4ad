import type { PointValue } from '../point/point.js';
import { globMatch } from '../shared/glob.js';
import { createPatternGroup, walkPattern, type PatternAggregates, type PatternGroup } from './_pattern-group.js';
import { noteChange, record, sameValue, type History } from './_state-windows.js';
import type { RuleView } from './rule-view.js';

/** The latest point of one metric of one source. */
export interface Entry {
  readonly metric: string;
  value: PointValue;
  /** The point's timestamp, or its receipt time when it had none; ms since the epoch. */
  timestamp: number;
  /** `timestamp` is another file's sink's, given before its first server sample: on the local clock. */
  provisional: boolean;
  sourceId: string;
  /** Earlier numeric points, for `rate()`: kept once a condition asked for this metric's rate. */
  history?: History;
  /** When its value changed, oldest first, for `changes()`: kept once a condition asked to count them. */
  changedAt?: number[];
  /** The groups of the patterns its name matches, told when its value changes. */
  groups?: PatternGroup[];
}

/** Values noted for an event: the first `n` keys and values, side by side, the arrays reused between evaluations. */
export interface Notes {
  keys: string[];
  values: unknown[];
  n: number;
}

/** Sources a rule keeps state for; points of further sources are ignored (counted). */
export const MAX_SOURCES = 10_000;
/** Metrics a rule keeps per source; further ones are ignored (counted). */
export const MAX_METRICS_PER_SOURCE = 10_000;
/** Values noted with one event. */
const MAX_NOTED = 32;

/** One source's latest points, and for each pattern the rule reads, those its name matches. */
interface SourceState {
  metrics: Map<string, Entry>;
  byPattern: Map<string, PatternGroup>;
}

/**
 * The rolling state of one rule: the latest value and timestamp of each metric it reads, per
 * source, and across sources for a rule `per: 'all'`. Bounded: past {@link MAX_SOURCES} sources
 * or {@link MAX_METRICS_PER_SOURCE} metrics a source, new ones are refused (`put` says which bound).
 * One view serves every evaluation (`begin` points it at an instance), so an evaluation
 * allocates nothing.
 */
export interface RuleState {
  /** Stores a point's value; when a bound refuses it, says which (undefined: stored). */
  put(sourceId: string, metric: string, value: PointValue, timestamp: number, provisional?: boolean): string | undefined;
  /** Points {@link view} at the instance watching `sourceId` (undefined: every source), of `match` (see `RuleView.match`), and clears the notes. */
  begin(sourceId: string | undefined, match?: string): void;
  /** The view the evaluator reads. */
  readonly view: RuleView;
  /** Copies what the last evaluation noted into `into` (an instance's). */
  keepNotes(into: Notes): void;
  clear(): void;
  /** Gives every value away (to the rule of the same definition a reload made); none is left here. */
  handOver(): StateContent;
  /** Takes the values another rule's state handed over, their timestamps (what `age()` reads) included. */
  adopt(content: StateContent): void;
  /** Calls `visit` with the name of every metric it holds a value of, of any source (once a source). */
  forEachMetric(visit: (metric: string) => void): void;
}

/** The values of a rule's state, handed from one rule to the next of the same definition. */
export interface StateContent {
  readonly bySource: ReadonlyMap<string, unknown>;
  readonly latest: ReadonlyMap<string, unknown>;
  /** The metrics whose changes are counted, and over how long. */
  readonly changeWindows?: ReadonlyMap<string, number>;
  /** For a rule `per: 'all'`, the metrics matching each pattern across sources. */
  readonly acrossByPattern?: ReadonlyMap<string, unknown>;
}

/** An object of noted values, for an event. */
export function notesObject(notes: Notes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defineProperty: a metric named __proto__ stays a plain key.
  for (let i = 0; i < notes.n; i++) Object.defineProperty(out, notes.keys[i]!, { value: notes.values[i], enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Creates the state of one rule reading `patterns` (kept per source as entries arrive); `now` is
 * its clock, and `onServerTime` gives a stored timestamp on that clock (the view's `timestamp()`).
 */
export function createRuleState(acrossSources: boolean, now: () => number, patterns: readonly string[], onServerTime: (timestamp: number, provisional?: boolean) => number): RuleState {
  const bySource = new Map<string, SourceState>();
  const latest = new Map<string, Entry>();
  // A rule `per: 'all'` reads each pattern across sources: one group of them all, kept as points come.
  const groupsOf = (): Map<string, PatternGroup> => new Map(acrossSources ? patterns.map((p) => [p, createPatternGroup()]) : []);
  let acrossByPattern = groupsOf();
  const gathered: PatternAggregates = { count: 0, numbers: 0, sum: 0, min: Infinity, max: -Infinity, minMetric: '', minSource: '', maxMetric: '', maxSource: '' };
  // Metrics whose rate a condition asked for, with the longest window asked: their entries keep a history.
  const windows = new Map<string, number>();
  // Metrics whose changes a condition counts, with the longest window asked: their entries keep when they changed.
  const changeWindows = new Map<string, number>();
  const notes: Notes = { keys: [], values: [], n: 0 };
  let scope: string | undefined;
  let matched: string | undefined;

  const find = (metric: string, sourceId: string | undefined): Entry | undefined => {
    const source = sourceId ?? scope;
    return source === undefined ? latest.get(metric) : bySource.get(source)?.metrics.get(metric);
  };
  const note = (key: string, value: unknown): void => {
    if (notes.n >= MAX_NOTED) return;
    for (let i = 0; i < notes.n; i++) if (notes.keys[i] === key) return;
    notes.keys[notes.n] = key;
    notes.values[notes.n] = value;
    notes.n += 1;
  };

  const view: RuleView = {
    get sourceId() {
      return scope;
    },
    get match() {
      return matched;
    },
    value(metric, sourceId) {
      const v = find(metric, sourceId)?.value;
      if (v !== undefined) note(sourceId === undefined ? metric : `${sourceId}:${metric}`, v);
      return v;
    },
    timestamp(metric, sourceId) {
      const entry = find(metric, sourceId);
      if (entry === undefined) return undefined;
      return entry.provisional ? onServerTime(entry.timestamp, true) : onServerTime(entry.timestamp);
    },
    rate(metric, windowMs, sourceId) {
      if ((windows.get(metric) ?? 0) < windowMs) windows.set(metric, windowMs);
      const entry = find(metric, sourceId);
      if (entry === undefined) return undefined;
      // The point at hand, if the history does not hold it yet: at the first ask (the history
      // starts there), or after a reload handed the entry over (a point stored before this
      // state's first ask of the metric). Once held, recording it again changes nothing.
      record(entry, windows.get(metric)!);
      if (typeof entry.value !== 'number') return NaN;
      const h = entry.history!;
      const newest = h.t.length - 1;
      if (newest < 1) return undefined;
      // The newest point at least windowMs before the latest one: the rate is over windowMs or a little more.
      for (let i = newest - 1; i >= 0; i--) {
        if (h.t[i]! <= h.t[newest]! - windowMs) {
          const perSecond = (h.v[newest]! - h.v[i]!) / ((h.t[newest]! - h.t[i]!) / 1000);
          note(`rate(${sourceId === undefined ? metric : `${sourceId}:${metric}`}, ${windowMs / 1000})`, perSecond);
          return perSecond;
        }
      }
      return undefined;
    },
    changes(metric, windowMs, sourceId) {
      if ((changeWindows.get(metric) ?? 0) < windowMs) changeWindows.set(metric, windowMs);
      const entry = find(metric, sourceId);
      if (entry === undefined) return undefined;
      entry.changedAt ??= [];
      const since = now() - windowMs;
      let count = 0;
      for (let i = entry.changedAt.length - 1; i >= 0 && entry.changedAt[i]! > since; i--) count += 1;
      note(`changes(${sourceId === undefined ? metric : `${sourceId}:${metric}`}, ${windowMs / 1000})`, count);
      return count;
    },
    matching(pattern, visit) {
      const sources = scope === undefined ? bySource.values() : [bySource.get(scope)];
      for (const s of sources) {
        if (!s) continue;
        const kept = s.byPattern.get(pattern)?.members;
        // Patterns the rule declared were matched once per metric as it arrived; others now.
        for (const entry of kept ?? s.metrics.values()) if (kept || globMatch(pattern, entry.metric)) visit(entry.metric, entry.value, entry.sourceId);
      }
    },
    gather(pattern) {
      const group = scope === undefined ? acrossByPattern.get(pattern) : bySource.get(scope)?.byPattern.get(pattern);
      // A pattern the rule did not declare (or a source not heard yet): walked.
      return group ? group.gather(gathered) : walkPattern(view.matching, pattern, gathered);
    },
    now,
    note,
  };

  /** `entry` is one of the metrics `group` holds from now on. */
  const join = (entry: Entry, group: PatternGroup): void => {
    group.add(entry);
    (entry.groups ??= []).push(group);
  };

  return {
    put(sourceId, metric, value, timestamp, provisional = false) {
      let s = bySource.get(sourceId);
      if (!s) {
        if (bySource.size >= MAX_SOURCES) return `it keeps at most ${MAX_SOURCES} sources, so ${sourceId} and every further source are not evaluated`;
        s = { metrics: new Map(), byPattern: new Map(patterns.map((p) => [p, createPatternGroup()])) };
        bySource.set(sourceId, s);
      }
      let entry = s.metrics.get(metric);
      if (!entry) {
        if (s.metrics.size >= MAX_METRICS_PER_SOURCE) return `it keeps at most ${MAX_METRICS_PER_SOURCE} metrics of a source, so ${metric} of ${sourceId} and every further one are not evaluated`;
        entry = { metric, value, timestamp, provisional, sourceId };
        s.metrics.set(metric, entry);
        for (const [pattern, group] of s.byPattern) if (globMatch(pattern, metric)) join(entry, group);
        for (const [pattern, group] of acrossByPattern) if (globMatch(pattern, metric)) join(entry, group);
      } else {
        const changeWindowMs = changeWindows.get(metric);
        if (changeWindowMs !== undefined && !sameValue(entry.value, value)) noteChange(entry, timestamp, changeWindowMs);
        const before = entry.value;
        entry.value = value;
        entry.timestamp = timestamp;
        entry.provisional = provisional;
        if (entry.groups) for (const group of entry.groups) group.changed(entry, before);
      }
      const windowMs = windows.get(metric);
      if (windowMs !== undefined) record(entry, windowMs);
      if (acrossSources) latest.set(metric, entry);
      return undefined;
    },
    begin(sourceId, match) {
      scope = sourceId;
      matched = match;
      notes.n = 0;
    },
    view,
    keepNotes(into) {
      for (let i = 0; i < notes.n; i++) {
        into.keys[i] = notes.keys[i]!;
        into.values[i] = notes.values[i];
      }
      into.n = notes.n;
    },
    clear() {
      bySource.clear();
      latest.clear();
      acrossByPattern = groupsOf();
      windows.clear();
      changeWindows.clear();
    },
    handOver() {
      const content: StateContent = { bySource: new Map(bySource), latest: new Map(latest), changeWindows: new Map(changeWindows), acrossByPattern };
      bySource.clear();
      latest.clear();
      acrossByPattern = groupsOf();
      return content;
    },
    forEachMetric(visit) {
      for (const source of bySource.values()) for (const metric of source.metrics.keys()) visit(metric);
    },
    adopt(content) {
      // Same definition, so the same patterns: each source's entries by pattern stay right.
      for (const [source, state] of content.bySource) bySource.set(source, state as SourceState);
      for (const [metric, entry] of content.latest) latest.set(metric, entry as Entry);
      // The groups across sources its entries are members of, with their totals.
      if (content.acrossByPattern) acrossByPattern = content.acrossByPattern as Map<string, PatternGroup>;
      // Counting changes goes on from the first point after the reload, not from the first evaluation.
      for (const [metric, windowMs] of content.changeWindows ?? []) changeWindows.set(metric, windowMs);
    },
  };
}
