import { usualInterval } from './_live-interval.js';
import { createRateWindow, rateArrival, rateAt, type RateWindow } from './_live-rate.js';
import { addSample, createPending, finishPending, type PendingSamples } from './_live-samples.js';
import type { LiveEvent, LiveSamples, LiveSeriesDecl, LiveSeriesKind, LiveSeriesRow } from './live-types.js';
import type { StoredPoint } from './types.js';

/** Samples kept per numeric series for charts (`/_dev/live/history`). */
export const HISTORY_SAMPLES = 120;
/** Event points kept for a snapshot. */
export const EVENTS_KEPT = 200;
/** Longest text kept for an event value. */
const MAX_TEXT = 200;

interface Series {
  id: number;
  kind: LiveSeriesKind;
  decl: LiveSeriesDecl;
  declared: boolean;
  count: number;
  /** Its rate, as last reported. */
  rate: RateWindow;
  t: number;
  value: number | string;
  /** Gateway clock of the commit that carried its last point. */
  at: number;
  /** Its usual interval between commits that carried points, ms (0 until it has had two). */
  every: number;
  /** Absolute `t, v` pairs, trimmed to the last {@link HISTORY_SAMPLES} now and then. */
  history: number[];
  pending: PendingSamples | undefined;
}

/** What one commit produced, for the next stream event. */
export interface SeriesCommit {
  decls: LiveSeriesDecl[];
  samples: LiveSamples[];
  rates: number[];
}

/** Every series the gateway has seen: pending points, and the state as of the last commit. */
export interface SeriesTable {
  /** Takes one stored point; false when it is not tracked (the series limit is reached). */
  add(point: StoredPoint): boolean;
  /** Moves pending points into the committed state and updates rates; `now` is the gateway clock. */
  commit(now: number): SeriesCommit;
  /** The committed series. */
  rows(): LiveSeriesRow[];
  /** The latest committed event points, oldest first. */
  events(): LiveEvent[];
  /** Recent samples of numeric series, flat `dt, v` relative to `now`. Unknown ids are left out. */
  history(ids: readonly number[], now: number): Record<string, number[]>;
  size(): number;
  reset(): void;
}

function tagsKey(tags: Record<string, string> | undefined): string {
  if (tags === undefined) return '';
  const keys = Object.keys(tags);
  if (keys.length > 1) keys.sort();
  let key = '';
  for (const k of keys) key += `${k}\u0001${tags[k]}\u0002`;
  return key;
}

/** An event value as bounded text. */
export function eventText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** Creates a {@link SeriesTable} holding at most `maxSeries` series. */
export function createSeriesTable(maxSeries: number): SeriesTable {
  let byKey = new Map<string, Series>();
  let byId = new Map<number, Series>();
  let changed: Series[] = [];
  let rateActive = new Set<Series>();
  let events: LiveEvent[] = [];
  let nextId = 1;

  const create = (key: string, kind: LiveSeriesKind, p: StoredPoint): Series => {
    const tags = p.tags !== undefined && Object.keys(p.tags).length > 0 ? { ...p.tags } : undefined;
    const id = nextId++;
    const decl: LiveSeriesDecl = [id, p.source_id, p.metric, tags ?? 0, tags?.unit ?? 0, kind];
    const series: Series = {
      id, kind, decl, declared: false, count: 0, rate: createRateWindow(), t: 0, value: 0, at: 0, every: 0, history: [], pending: undefined,
    };
    byKey.set(key, series);
    byId.set(id, series);
    return series;
  };

  // In time order, so a chart draws forward and a point that came late takes its place.
  const keepHistory = (s: Series, t: number, v: number): void => {
    let at = s.history.length;
    while (at > 0 && (s.history[at - 2] as number) > t) at -= 2;
    if (at === s.history.length) s.history.push(t, v);
    else s.history.splice(at, 0, t, v);
    if (s.history.length > 2 * HISTORY_SAMPLES + 64) s.history.splice(0, s.history.length - 2 * HISTORY_SAMPLES);
  };

  return {
    add(p) {
      const kind: LiveSeriesKind = p.class === 'event' || (p.class === undefined && typeof p.value !== 'number') ? 'e' : 'm';
      const key = `${kind}${p.source_id}\u0000${p.metric}\u0000${tagsKey(p.tags)}`;
      let series = byKey.get(key);
      if (series === undefined) {
        if (byKey.size >= maxSeries) return false;
        series = create(key, kind, p);
      }
      if (series.pending === undefined) {
        series.pending = createPending();
        changed.push(series);
      }
      const t = typeof p.timestamp === 'number' ? p.timestamp : p.received_at_ms;
      addSample(series.pending, t, kind === 'm' ? (p.value as number) : eventText(p.value));
      return true;
    },
    commit(now) {
      const out: SeriesCommit = { decls: [], samples: [], rates: [] };
      // This commit's events in time order, whatever series they came in.
      const fresh: LiveEvent[] = [];
      for (const s of changed) {
        const p = s.pending!;
        s.pending = undefined;
        if (!s.declared) {
          s.declared = true;
          out.decls.push(s.decl);
        }
        const flat = finishPending(p);
        const entry: LiveSamples = [s.id, p.n];
        // An event series lists its changes: a polled coil or a state sent again repeats itself.
        let previous = s.count > 0 ? s.value : undefined;
        for (let i = 0; i < flat.length; i += 2) {
          const t = flat[i] as number;
          const v = flat[i + 1]!;
          entry.push(Math.round(t - now), v);
          if (s.kind === 'm') keepHistory(s, t, v as number);
          else if (v !== previous) fresh.push([s.id, t, v as string]);
          previous = v;
        }
        out.samples.push(entry);
        if (s.count > 0) s.every = usualInterval(s.every, now - s.at);
        s.count += p.n;
        // Its value is its newest point's: one that came late (a backlog, a resend) is only history.
        if (s.count === p.n || p.newestT >= s.t) {
          s.t = p.newestT;
          s.value = p.newestV;
        }
        s.at = now;
        rateArrival(s.rate, p.n, now);
        rateActive.add(s);
      }
      changed = [];
      events.push(...fresh.sort((a, b) => a[1] - b[1]));
      if (events.length > 2 * EVENTS_KEPT) events = events.slice(-EVENTS_KEPT);
      for (const s of rateActive) {
        const before = s.rate.rate;
        const rate = rateAt(s.rate, now, s.every);
        if (rate === undefined) continue;
        if (rate !== before) out.rates.push(s.id, rate);
        if (!s.rate.active) rateActive.delete(s);
      }
      return out;
    },
    rows() {
      const rows: LiveSeriesRow[] = [];
      for (const s of byId.values()) if (s.declared) rows.push([...s.decl, s.count, s.rate.rate, s.t, s.value, s.at, s.every]);
      return rows;
    },
    events: () => events.slice(-EVENTS_KEPT),
    history(ids, now) {
      const out: Record<string, number[]> = {};
      for (const id of ids) {
        const s = byId.get(id);
        if (s === undefined || s.kind !== 'm' || !s.declared) continue;
        const start = Math.max(0, s.history.length - 2 * HISTORY_SAMPLES);
        const flat: number[] = [];
        for (let i = start; i < s.history.length; i += 2) flat.push(Math.round(s.history[i]! - now), s.history[i + 1]!);
        out[id] = flat;
      }
      return out;
    },
    size: () => byKey.size,
    reset() {
      byKey = new Map();
      byId = new Map();
      changed = [];
      rateActive = new Set();
      events = [];
    },
  };
}
