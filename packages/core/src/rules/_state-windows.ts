import type { PointValue } from '../point/point.js';
import type { Entry } from './_state.js';

// What a rule's state keeps of a metric's past for the conditions that read a window of it:
// `rate()` (earlier values) and `changes()` (when the value changed).

/** Numeric points of one metric, oldest first: what `rate()` reads. */
export interface History {
  t: number[];
  v: number[];
}

/**
 * How finely a rate's window is kept: a point closer than window / this to the one before the
 * last replaces the last, so any two kept points but the newest are at least that far apart (at
 * most 2 x 64 + 2 points a window), and a metric sent ten times a second costs what one sent
 * every second does.
 */
const RATE_RESOLUTION = 64;

/** Changes `changes()` counts in one window at most: a value toggling faster is counted up to this. */
export const MAX_CHANGES = 10_000;

/**
 * Adds an entry's latest point to its history, kept for a window of `windowMs`: one point at
 * least `windowMs` before the newest stays (where a rate over the window starts), older ones go;
 * points closer together than windowMs / {@link RATE_RESOLUTION} replace the newest. A point not
 * later than the newest (out of order, repeated) is left out; one that is not a number starts the
 * history over, as a rate across it means nothing.
 */
export function record(entry: Entry, windowMs: number): void {
  const h = (entry.history ??= { t: [], v: [] });
  const { timestamp: t, value: v } = entry;
  if (typeof v !== 'number') {
    h.t.length = 0;
    h.v.length = 0;
    return;
  }
  const n = h.t.length;
  if (n > 0 && t <= h.t[n - 1]!) return;
  if (n >= 2 && t - h.t[n - 2]! < windowMs / RATE_RESOLUTION) {
    h.t[n - 1] = t;
    h.v[n - 1] = v;
  } else {
    h.t.push(t);
    h.v.push(v);
  }
  while (h.t.length >= 2 && h.t[1]! <= t - windowMs) {
    h.t.shift();
    h.v.shift();
  }
}

/**
 * Notes that an entry's value changed at `timestamp`: the times within `windowMs` of it are kept
 * (at most {@link MAX_CHANGES}, the oldest dropped first), older ones go.
 */
export function noteChange(entry: Entry, timestamp: number, windowMs: number): void {
  const at = (entry.changedAt ??= []);
  at.push(timestamp);
  let drop = 0;
  while (drop < at.length && at[drop]! <= timestamp - windowMs) drop += 1;
  if (at.length - drop > MAX_CHANGES) drop = at.length - MAX_CHANGES;
  if (drop > 0) at.splice(0, drop);
}

/** Whether two values of a metric are the same: numbers, text and booleans as they are, JSON values by their text. */
export function sameValue(a: PointValue, b: PointValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
