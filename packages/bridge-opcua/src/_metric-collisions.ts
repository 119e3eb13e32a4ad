import { renderMetricName } from '@fieldbridge/core/bridge';
import { METRIC_NAME_CHARS } from './metric-names.js';
import type { OpcuaPlan } from './plan.js';
import type { ItemStatus } from './subscription-types.js';

/** Several monitored variables whose points would have one metric name and the same tags: one series, mixed. */
export interface MetricCollision {
  metric: string;
  /** How the mapping named each (a node id, a browse path, `<folder>/<path>`), with its entry. */
  labels: string[];
}

/** What {@link checkMetricNames} found. */
export interface MetricNameCheck {
  collisions: MetricCollision[];
  /** Metric names made from browse names with characters outside letters, digits, `_`, `-` and `.`, at most `sample`. */
  unsafe: string[];
  /** How many such names there are in all. */
  unsafeCount: number;
}

/**
 * The metric name of every value item of `items` (a folder's from its template and the
 * variable's browse path), grouped by series (name and tags): groups of more than one item are
 * collisions. Names made from browse paths that carry characters time-series stores handle badly
 * are listed too. Items whose name cannot be made (a folder not found yet) are left out. Pure.
 */
export function checkMetricNames(routes: OpcuaPlan['routes'], items: readonly ItemStatus[], sample = 3): MetricNameCheck {
  const series = new Map<string, { metric: string; labels: Set<string> }>();
  const unsafe = new Set<string>();
  for (const item of items) {
    const route = routes.get(item.key);
    if (item.kind !== 'value' || route?.kind !== 'value') continue;
    let metric = route.metric;
    if (metric === undefined) {
      if (!item.browsePath) continue;
      const rendered = renderMetricName(route.template!, { path: item.browsePath });
      if (!rendered.ok) continue;
      metric = rendered.text;
    }
    if ((route.template || route.fromPath) && !METRIC_NAME_CHARS.test(metric)) unsafe.add(metric);
    const key = JSON.stringify([metric, Object.entries(route.tags ?? {}).sort()]);
    let group = series.get(key);
    if (!group) series.set(key, (group = { metric, labels: new Set() }));
    group.labels.add(`${item.label} (${route.entry})`);
  }
  const collisions = [...series.values()].filter((g) => g.labels.size > 1).map((g) => ({ metric: g.metric, labels: [...g.labels] }));
  return { collisions, unsafe: [...unsafe].slice(0, sample), unsafeCount: unsafe.size };
}
