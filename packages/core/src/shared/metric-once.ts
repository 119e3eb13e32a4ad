import type { Registry } from 'prom-client';

/**
 * The metric `name` of `registry`, made by `make` the first time: a bridge's metrics are created
 * once per registry, and a reload (which starts the bridge again on the same registry) reuses
 * them instead of failing on a name already registered.
 */
export function metricOnce<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
