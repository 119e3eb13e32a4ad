import type { Point, PointValue, Tags } from '@fieldbridge/core';
import type { ResolvedTags } from './resolve.js';
import { renderTemplate, type TemplateVars } from './template.js';

/** A point with the class its value implies: numbers are metrics, everything else events. */
export function makePoint(metric: string, value: PointValue, timestamp: number, tags: Tags | undefined): Point {
  const point: Point = { metric, value, timestamp, class: typeof value === 'number' ? 'metric' : 'event' };
  if (tags && Object.keys(tags).length > 0) point.tags = tags;
  return point;
}

/** Fills tag templates into `into`; returns a message when one cannot be filled. */
export function renderTags(tags: ResolvedTags, vars: TemplateVars, into: Tags): string | undefined {
  for (const [key, template] of tags) {
    const result = renderTemplate(template, vars);
    if (!result.ok) return `tag ${key}: ${result.message}`;
    into[key] = result.text;
  }
  return undefined;
}

