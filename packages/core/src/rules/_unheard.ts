import { closestName } from '../shared/edit-distance.js';
import { globMatch } from '../shared/glob.js';
import type { RuleInternals } from './_internals.js';

/** How long after a rule set starts its rules say which metrics they read were never sent: 5 min. */
export const UNHEARD_AFTER_MS = 5 * 60_000;

/** Distinct metric names kept while watching, for the suggestions. */
const MAX_NAMES_KEPT = 10_000;

/** What a rule has not been shown by the time the watch ends. */
export interface Unheard {
  /** Metric names read exactly that no source the rule watches sent. */
  names: string[];
  /** Patterns that matched no metric a source the rule watches sent. */
  patterns: string[];
  /** For a name, the metric sent that it most likely meant (a typo), if one is that close. */
  closest: Map<string, string>;
  /** Names that were sent, but only by sources the rule does not watch. */
  elsewhere: Set<string>;
}

/** Watches which metrics each rule of a set reads and is shown, for a while after the set starts. */
export interface UnheardWatch {
  /** True until every rule has heard every metric it reads, or the watch ended. */
  watching(): boolean;
  /** Any point of `metric` came (from any source): a name a typo may have meant. */
  seen(metric: string): void;
  /** `reader` was shown a point of `metric` from a source it watches. */
  heard(reader: RuleInternals, metric: string): void;
  /** Ends the watch without a report. */
  stop(): void;
}

/**
 * Watches, for `afterMs` after a rule set starts, which of the metrics its rules read (names and
 * patterns) no source they watch has sent; then calls `report` once for each rule with some left,
 * with the closest name sent for each name (a typo: `press1.oil.temprature` for
 * `press1.oil.temperature`), and stops watching. A metric a rule never hears leaves what depends
 * on it unknown: the rule cannot fire on it, without a word otherwise. Costs a Set lookup per
 * point while watching, nothing after. The timer does not hold the process open.
 */
export function watchUnheard(parts: readonly RuleInternals[], afterMs: number, report: (reader: RuleInternals, unheard: Unheard) => void): UnheardWatch {
  const pending = new Map<RuleInternals, { names: Set<string>; patterns: string[] }>();
  for (const part of parts) if (part.exact.length + part.patterns.length > 0) pending.set(part, { names: new Set(part.exact), patterns: [...part.patterns] });
  let sent: Set<string> | undefined = new Set();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const end = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending.clear();
    sent = undefined;
  };
  if (pending.size === 0 || afterMs <= 0) end();
  else {
    timer = setTimeout(() => {
      const known = sent ?? new Set<string>();
      for (const [reader, left] of pending) {
        const names = [...left.names];
        const closest = new Map<string, string>();
        const elsewhere = new Set<string>();
        for (const name of names) {
          if (known.has(name)) {
            elsewhere.add(name);
            continue;
          }
          const near = closestName(name, known);
          if (near !== undefined) closest.set(name, near);
        }
        report(reader, { names, patterns: left.patterns, closest, elsewhere });
      }
      end();
    }, afterMs);
    timer.unref?.();
  }
  return {
    watching: () => sent !== undefined,
    seen(metric) {
      if (sent !== undefined && sent.size < MAX_NAMES_KEPT) sent.add(metric);
    },
    heard(reader, metric) {
      const left = pending.get(reader);
      if (left === undefined) return;
      left.names.delete(metric);
      if (left.patterns.length > 0) left.patterns = left.patterns.filter((pattern) => !globMatch(pattern, metric));
      if (left.names.size > 0 || left.patterns.length > 0) return;
      pending.delete(reader);
      if (pending.size === 0) end();
    },
    stop: end,
  };
}

/** `rule hot: no source it watches sent press1.oil.temprature (press1.oil.temperature was sent: a typo?) ...`. */
export function describeUnheard(rule: string, unheard: Unheard, afterMs: number): string {
  const what = [
    ...unheard.names.map((name) => {
      if (unheard.elsewhere.has(name)) return `${name} (other sources did: check its sources)`;
      const near = unheard.closest.get(name);
      return near === undefined ? name : `${name} (${near} was sent: a typo?)`;
    }),
    ...unheard.patterns.map((pattern) => `anything matching ${pattern}`),
  ];
  const list = what.length === 1 ? what[0]! : `${what.slice(0, -1).join(', ')} or ${what[what.length - 1]!}`;
  const minutes = Math.round(afterMs / 60_000);
  const since = minutes >= 1 ? `${minutes} min` : `${Math.round(afterMs / 1000)} s`;
  return `rule ${rule}: no source it watches sent ${list} in the ${since} since the rules started; what its condition reads of ${what.length === 1 ? 'it' : 'them'} stays unknown until one does, so the rule cannot fire on ${what.length === 1 ? 'it' : 'them'}: check the name${what.length === 1 ? '' : 's'} against the metrics the bridges send`;
}
