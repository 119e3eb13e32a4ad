import type { PointValue } from '../point/point.js';

/**
 * What a change filter keeps back, per series (a metric and its tags, or any key a bridge
 * chooses). Every option is off when absent. A bridge's `deadband`, `max_rate_hz` and
 * `on_change` keys, and the dashboard's `start_stream` interval, are this one filter.
 */
export interface ChangeFilterOptions {
  /** Hold back a number closer than this to the last one sent. */
  deadband?: number;
  /** Hold back a number that differs by less than this percentage of the last one sent. */
  deadbandPercent?: number;
  /** At most one point per series in this many ms (`max_rate_hz: 10` is 100 ms). */
  minIntervalMs?: number;
  /** Hold back a value equal to the last one sent (numbers, text, booleans, JSON). */
  onChange?: boolean;
  /**
   * Send a held-back value anyway when the last one sent is this old, in ms, so a steady signal
   * still shows up (a heartbeat for `deadband` and `on_change`). Default: never.
   */
  maxIntervalMs?: number;
  /** Series remembered at most; past it the one sent least recently is forgotten. Default 100 000. */
  maxSeries?: number;
}

/** Why a value was held back, or `pass`. */
export type ChangeVerdict = 'pass' | 'deadband' | 'rate' | 'unchanged';

/** A per-series change filter. */
export interface ChangeFilter {
  /** Decides for one value of `series` at `nowMs` (monotonic); a passing value becomes the last sent. */
  admit(series: string, value: PointValue, nowMs: number): ChangeVerdict;
  /** Series remembered now. */
  size(): number;
  /** Forgets every series. */
  clear(): void;
}

interface Last {
  value: PointValue;
  atMs: number;
}

/** A filter that keeps nothing back (all options off). */
const PASS: ChangeFilter = { admit: () => 'pass', size: () => 0, clear: () => undefined };

/**
 * Creates a {@link ChangeFilter}. With every option off it is free: `admit` always passes and
 * nothing is remembered. Memory is bounded by `maxSeries` (the series sent least recently is forgotten first).
 */
export function createChangeFilter(options: ChangeFilterOptions = {}): ChangeFilter {
  const { deadband, deadbandPercent, minIntervalMs, onChange, maxIntervalMs } = options;
  if (deadband === undefined && deadbandPercent === undefined && minIntervalMs === undefined && !onChange) return PASS;
  const maxSeries = options.maxSeries ?? 100_000;
  const last = new Map<string, Last>();

  const heldBack = (previous: Last, value: PointValue, nowMs: number): ChangeVerdict | undefined => {
    const age = nowMs - previous.atMs;
    if (minIntervalMs !== undefined && age < minIntervalMs) return 'rate';
    if (maxIntervalMs !== undefined && age >= maxIntervalMs) return undefined;
    if (typeof value === 'number' && typeof previous.value === 'number') {
      const diff = Math.abs(value - previous.value);
      if (deadband !== undefined && diff < deadband) return 'deadband';
      if (deadbandPercent !== undefined && diff < (Math.abs(previous.value) * deadbandPercent) / 100) return 'deadband';
    }
    if (onChange && sameValue(previous.value, value)) return 'unchanged';
    return undefined;
  };

  return {
    admit(series, value, nowMs) {
      const previous = last.get(series);
      if (previous !== undefined) {
        const verdict = heldBack(previous, value, nowMs);
        if (verdict) return verdict;
        last.delete(series);
      } else if (last.size >= maxSeries) {
        last.delete(last.keys().next().value as string);
      }
      last.set(series, { value, atMs: nowMs });
      return 'pass';
    },
    size: () => last.size,
    clear: () => last.clear(),
  };
}

function sameValue(a: PointValue, b: PointValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
