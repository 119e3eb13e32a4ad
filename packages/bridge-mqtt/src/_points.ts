import { renderMetricName, type Point, type PointValue, type Tags } from '@fieldbridge/core/bridge';
import type { MqttTemplate, MqttVars } from './placeholders.js';
import type { Naming } from './resolve.js';

/** A naming filled in: the metric and the tags (undefined when there are none), or why it could not be. */
export type Named = { ok: true; metric: string; tags: Tags | undefined } | { ok: false; message: string };

/** True when a naming reads the payload (`{json.<path>}`), so it cannot be filled once per topic. */
export function readsPayload(naming: Naming): boolean {
  const json = (t: MqttTemplate): boolean => t.placeholders.some((p) => p.startsWith('json'));
  return json(naming.metric) || naming.tags.some(([, t]) => json(t));
}

/** Fills a naming; the failure names the template or tag that could not be filled. */
export function fillName(naming: Naming, vars: MqttVars): Named {
  const metric = renderMetricName(naming.metric, vars);
  if (!metric.ok) return { ok: false, message: `metric "${naming.metric.source}": ${metric.message}` };
  if (naming.tags.length === 0) return { ok: true, metric: metric.text, tags: undefined };
  const tags: Tags = {};
  for (const [key, template] of naming.tags) {
    const value = template.render(vars);
    if (!value.ok) return { ok: false, message: `tag ${key}: ${value.message}` };
    tags[key] = value.text;
  }
  return { ok: true, metric: metric.text, tags };
}

/**
 * A point with the class its value implies: numbers are metrics, everything else events. The
 * tags object may be shared by every point of a topic: nothing downstream changes it.
 */
export function makePoint(metric: string, value: PointValue, timestamp: number, tags: Tags | undefined): Point {
  const point: Point = { metric, value, timestamp, class: typeof value === 'number' ? 'metric' : 'event' };
  if (tags) point.tags = tags;
  return point;
}
