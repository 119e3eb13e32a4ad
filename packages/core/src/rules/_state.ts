import type { PointValue } from '../point/point.js';
import { globMatch } from '../shared/glob.js';
import type { RuleView } from './rule-view.js';

/** The latest point of one metric of one source. */
export interface Entry {
  value: PointValue;
  /** The point's timestamp, or its receipt time when it had none; ms since the epoch. */
  timestamp: number;
  sourceId: string;
}

/** Sources a rule keeps state for; points of further sources are ignored (counted). */
export const MAX_SOURCES = 10_000;
/** Metrics a rule keeps per source; further ones are ignored (counted). */
export const MAX_METRICS_PER_SOURCE = 10_000;
/** Values noted with one event. */
const MAX_NOTED = 32;

/**
 * The rolling state of one rule: the latest value and timestamp of each metric it reads, per
 * source, and across sources for a rule `per: 'all'`. Bounded: past {@link MAX_SOURCES} sources
 * or {@link MAX_METRICS_PER_SOURCE} metrics a source, new ones are refused (`put` says so).
 */
export interface RuleState {
  /** Stores a point's value; false when a bound refused it. */
  put(sourceId: string, metric: string, value: PointValue, timestamp: number): boolean;
  /** A view for one evaluation of the instance watching `sourceId` (undefined: every source), noting into `noted`. */
  view(sourceId: string | undefined, noted: Record<string, unknown>): RuleView;
  clear(): void;
}

/** Creates the state of one rule; `now` is its clock. */
export function createRuleState(acrossSources: boolean, now: () => number): RuleState {
  const bySource = new Map<string, Map<string, Entry>>();
  const latest = new Map<string, Entry>();

  const find = (scope: string | undefined, metric: string, sourceId: string | undefined): Entry | undefined => {
    const source = sourceId ?? scope;
    return source === undefined ? latest.get(metric) : bySource.get(source)?.get(metric);
  };

  return {
    put(sourceId, metric, value, timestamp) {
      let metrics = bySource.get(sourceId);
      if (!metrics) {
        if (bySource.size >= MAX_SOURCES) return false;
        metrics = new Map();
        bySource.set(sourceId, metrics);
      }
      let entry = metrics.get(metric);
      if (!entry) {
        if (metrics.size >= MAX_METRICS_PER_SOURCE) return false;
        entry = { value, timestamp, sourceId };
        metrics.set(metric, entry);
      } else {
        entry.value = value;
        entry.timestamp = timestamp;
      }
      if (acrossSources) latest.set(metric, entry);
      return true;
    },
    view(scope, noted) {
      let count = 0;
      const note = (key: string, value: unknown) => {
        if (count < MAX_NOTED && !Object.hasOwn(noted, key)) {
          noted[key] = value;
          count += 1;
        }
      };
      return {
        sourceId: scope,
        value(metric, sourceId) {
          const v = find(scope, metric, sourceId)?.value;
          if (v !== undefined) note(sourceId === undefined ? metric : `${sourceId}:${metric}`, v);
          return v;
        },
        timestamp: (metric, sourceId) => find(scope, metric, sourceId)?.timestamp,
        matching(pattern, visit) {
          const sources = scope === undefined ? bySource.values() : [bySource.get(scope) ?? new Map<string, Entry>()];
          for (const metrics of sources) {
            for (const [metric, entry] of metrics) if (globMatch(pattern, metric)) visit(metric, entry.value, entry.sourceId);
          }
        },
        now,
        note,
      };
    },
    clear() {
      bySource.clear();
      latest.clear();
    },
  };
}
