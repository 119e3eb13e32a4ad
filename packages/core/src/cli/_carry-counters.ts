import { Counter, type Registry } from 'prom-client';

/** The values of a registry's `fieldbridge_*` counters: metric name, then label set (as JSON). */
export type CounterValues = Map<string, Map<string, { labels: Record<string, string | number>; value: number }>>;

/** Reads the `fieldbridge_*` counters of `registry` (their collect functions run, as at a scrape). */
export async function readCounters(registry: Registry): Promise<CounterValues> {
  const out: CounterValues = new Map();
  for (const metric of await registry.getMetricsAsJSON()) {
    if (String(metric.type) !== 'counter' || !metric.name.startsWith('fieldbridge_')) continue;
    const byLabels = new Map<string, { labels: Record<string, string | number>; value: number }>();
    for (const v of metric.values) byLabels.set(JSON.stringify(v.labels), { labels: v.labels as Record<string, string | number>, value: v.value });
    out.set(metric.name, byLabels);
  }
  return out;
}

/**
 * Adds `values` (less `base`, when given) to the counters of the same name in `to`, so that a
 * reload that replaces the sink does not start its counters over: dashboards read totals that
 * only grow, as a restart of the bridges alone leaves them. Counters `to` does not have (a
 * WebSocket transport's, after a change to HTTP) are left out.
 */
export function addCounters(to: Registry, values: CounterValues, base?: CounterValues): void {
  for (const [name, byLabels] of values) {
    const counter = to.getSingleMetric(name);
    if (!(counter instanceof Counter)) continue;
    for (const [key, { labels, value }] of byLabels) {
      const n = value - (base?.get(name)?.get(key)?.value ?? 0);
      if (!(n > 0)) continue;
      if (Object.keys(labels).length === 0) counter.inc(n);
      else counter.inc(labels, n);
    }
  }
}
