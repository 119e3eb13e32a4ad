import type { Point, PointClass } from '@fieldbridge/core/bridge';

/**
 * What a point's class says about its series: `changed` when it is the first point of another
 * class than the series began with (a variable whose data type the server changed: numbers are
 * class `metric`, everything else `event`, so a dashboard series of the metric gets no more
 * points), `back` when it is the first of the series' own class again.
 */
export type ClassVerdict = 'changed' | 'back' | undefined;

/** Notes each series' point class. */
export interface ClassWatch {
  see(series: string, point: Point): ClassVerdict;
}

/** Series watched at most: as many as a section can name (nodes, and folders' variables); past it the oldest is forgotten. */
const MAX_SERIES = 200_000;

interface Seen {
  /** The class of the series' first point. */
  first: PointClass;
  /** Its points are of the other class now. */
  changed: boolean;
}

/** A new {@link ClassWatch}. A series forgotten past the bound begins again with its next point. */
export function createClassWatch(maxSeries = MAX_SERIES): ClassWatch {
  const seen = new Map<string, Seen>();
  return {
    see(series, point) {
      const now = point.class ?? (typeof point.value === 'number' ? 'metric' : 'event');
      const known = seen.get(series);
      if (!known) {
        if (seen.size >= maxSeries) seen.delete(seen.keys().next().value!);
        seen.set(series, { first: now, changed: false });
        return undefined;
      }
      const changed = now !== known.first;
      if (changed === known.changed) return undefined;
      known.changed = changed;
      return changed ? 'changed' : 'back';
    },
  };
}

/**
 * What a `changed` verdict means for `point`, the first of its new class, and what to do: the
 * message of the `type_changed` problem of `series` (node `nodeId`).
 */
export function classChangeMessage(series: string, nodeId: string, point: Point): string {
  const what = `${series} (${nodeId})`;
  const check = "Check the variable's data type on the server (bridge-opcua --browse shows it)";
  if (point.class === 'metric') {
    return `${what}: its values are numbers now, where they were not, so ${point.metric} is sent as metric points instead of event points: what reads its events gets no more. ${check}; this ends when its values are not numbers again`;
  }
  return `${what}: its values are ${valueKind(point.value)} now, no longer numbers, so ${point.metric} is sent as event points instead of metric points: a chart of ${point.metric} gets no more values. ${check}; this ends when numbers come again`;
}

function valueKind(value: Point['value']): string {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'true/false';
  return Array.isArray(value) ? 'arrays' : 'structures';
}
