// @ts-check
// The page's copy of the gateway's live state, built from the stream's snapshot and update
// events. It knows nothing of the DOM: the views read it and are told what changed.
import { formatTags } from './format.js';

/** @typedef {import('../src/live-types.js').LiveSnapshot} LiveSnapshot */
/** @typedef {import('../src/live-types.js').LiveUpdate} LiveUpdate */
/** @typedef {import('../src/live-types.js').LiveHistory} LiveHistory */
/** @typedef {import('../src/live-types.js').LiveSource} LiveSource */
/** @typedef {import('../src/live-types.js').LiveStats} LiveStats */
/** @typedef {import('../src/live-types.js').LiveRejection} LiveRejection */
/** @typedef {import('../src/live-types.js').LiveDeviceMessage} LiveDeviceMessage */
/** @typedef {import('../src/live-types.js').LiveSeriesDecl} LiveSeriesDecl */

/**
 * @typedef {object} Series
 * @property {number} id
 * @property {string} source
 * @property {string} metric
 * @property {string} tagText tags without `unit`, as `k=v k=v`
 * @property {string} unit
 * @property {'m' | 'e'} kind
 * @property {string} sortKey
 * @property {string} search lower-case text the filter matches
 * @property {number} count
 * @property {number} rate
 * @property {number} t time of the last point
 * @property {number | string} value
 * @property {number} at gateway clock of the event that carried the last point
 * @property {number} every its usual interval between such events, ms (0 until known)
 * @property {{ t: number[], v: number[] } | null} samples chart samples, once history was loaded
 * @property {Array<{ id: number, base: number, flat: Array<number | string> }> | null} waiting stream samples that arrived while history was on its way
 * @property {number} historyId stream events up to this id are already in `samples`
 */

/** @typedef {{ series: Series, t: number, text: string }} EventItem */

/**
 * @typedef {object} Change
 * @property {boolean} reset everything changed (a snapshot)
 * @property {Series[]} added
 * @property {Set<Series>} changed series with new points or a new rate
 * @property {boolean} sources
 * @property {EventItem[]} events new event points, oldest first
 * @property {boolean} rejections
 * @property {LiveDeviceMessage[]} conversation
 * @property {boolean} stats
 */

/** Chart samples kept per series, as many as the gateway's history holds. */
export const CHART_SAMPLES = 120;
const EVENTS_KEPT = 300;
const REJECTIONS_KEPT = 50;
const CONVERSATION_KEPT = 200;

/** @param {LiveSeriesDecl} decl @returns {Series} */
function seriesOf([id, source, metric, tags, unit, kind]) {
  const tagText = formatTags(tags);
  return {
    id, source, metric, tagText, unit: unit === 0 ? '' : unit, kind,
    sortKey: `${source}\u0000${metric}\u0000${tagText}`,
    search: `${source} ${metric} ${tagText} ${unit === 0 ? '' : unit}`.toLowerCase(),
    count: 0, rate: 0, t: 0, value: kind === 'm' ? 0 : '', at: 0, every: 0, samples: null, waiting: null, historyId: 0,
  };
}

/** A series with no point for this long is stale, however rarely it sends: the sources' "quiet". */
export const STALE_MIN_MS = 10_000;
/** ...and when it sends rarely, only after this many of its usual intervals. */
export const STALE_INTERVALS = 3;

/**
 * The usual interval between a series' arrivals, by the gateway's rule (`src/_live-interval.ts`):
 * the longest recent gap, an old long one let go by a tenth at each arrival.
 * @param {number} previous @param {number} gap
 */
function usualInterval(previous, gap) {
  return Math.max(Math.round(gap), Math.round(previous * 0.9));
}

/**
 * An HTTP sender counts as receiving while its last batch is younger than {@link STALE_MIN_MS},
 * or than three of its usual intervals when it sends less often (a BLE gateway posting every
 * 30 s), as a series is stale by the same rule; a WebSocket device by its link.
 * @param {LiveSource} src
 * @param {number} now
 * @returns {'connected' | 'disconnected' | 'refused' | 'receiving' | 'idle'}
 */
export function sourceState(src, now) {
  if (src.link !== undefined) return src.link;
  return src.lastSeenMs !== undefined && now - src.lastSeenMs < Math.max(STALE_MIN_MS, STALE_INTERVALS * (src.every ?? 0)) ? 'receiving' : 'idle';
}

/**
 * A metric that stopped arriving (a dead battery, a tag out of range): nothing for three of its
 * usual intervals, and at least {@link STALE_MIN_MS}. A metric seen once has no usual interval:
 * a setpoint, a value sent only when it changes (an OPC UA deadband, a retained MQTT state) is
 * not stale while its source sends, only once the source went quiet too. Events are never
 * stale: they come when they come.
 * @param {Series} s @param {number} now the gateway clock @param {LiveSource | undefined} src its source
 */
export function isStale(s, now, src) {
  if (s.kind !== 'm' || s.at === 0 || now - s.at <= Math.max(STALE_MIN_MS, STALE_INTERVALS * s.every)) return false;
  return s.every > 0 || !sourceSends(src, now);
}

/**
 * Whether a metric seen once is only waiting for a change: old, but its source still sends.
 * @param {Series} s @param {number} now @param {LiveSource | undefined} src
 */
export function isUnchanged(s, now, src) {
  return s.kind === 'm' && s.at !== 0 && s.every === 0 && now - s.at > STALE_MIN_MS && sourceSends(src, now);
}

/** @param {LiveSource | undefined} src @param {number} now */
function sourceSends(src, now) {
  if (src === undefined) return false;
  const state = sourceState(src, now);
  return state === 'receiving' || state === 'connected';
}

/** @param {Series} a @param {Series} b */
export const bySortKey = (a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.id - b.id);

/**
 * In time order, so the chart draws forward: a point that came late (a backlog, a resend) takes its place.
 * @param {Series} s @param {number} t @param {number} v
 */
function keepSample(s, t, v) {
  if (s.samples === null) return;
  let at = s.samples.t.length;
  while (at > 0 && /** @type {number} */ (s.samples.t[at - 1]) > t) at -= 1;
  s.samples.t.splice(at, 0, t);
  s.samples.v.splice(at, 0, v);
  if (s.samples.t.length > CHART_SAMPLES + 32) {
    s.samples.t.splice(0, s.samples.t.length - CHART_SAMPLES);
    s.samples.v.splice(0, s.samples.v.length - CHART_SAMPLES);
  }
}

export function createModel() {
  /** @type {Map<number, Series>} */
  let series = new Map();
  /** @type {Series[]} every series in sort order */
  let order = [];
  /** @type {Map<string, LiveSource>} */
  let sources = new Map();
  /** @type {EventItem[]} */
  let events = [];
  /** @type {LiveRejection[]} */
  let rejections = [];
  /** @type {LiveDeviceMessage[]} */
  let conversation = [];
  /** @type {LiveStats | null} */
  let stats = null;
  let serverT = 0;
  let serverTAt = 0;
  /** Points the page has been told of: the sum of every series' count. */
  let pointsSeen = 0;

  /** @param {number} t */
  const clock = (t) => {
    serverT = t;
    serverTAt = performance.now();
  };

  const model = {
    get series() { return series; },
    get order() { return order; },
    get sources() { return sources; },
    get events() { return events; },
    get rejections() { return rejections; },
    get conversation() { return conversation; },
    get stats() { return stats; },
    get pointsSeen() { return pointsSeen; },
    /** The gateway's clock now, estimated from the last event. */
    serverNow: () => serverT + (performance.now() - serverTAt),

    /** @param {LiveSnapshot} snap @returns {Change} */
    applySnapshot(snap) {
      clock(snap.t);
      series = new Map();
      pointsSeen = 0;
      for (const row of snap.series) {
        const s = seriesOf(/** @type {LiveSeriesDecl} */ (row.slice(0, 6)));
        [s.count, s.rate, s.t, s.value, s.at, s.every] = /** @type {[number, number, number, number | string, number, number]} */ (row.slice(6));
        pointsSeen += s.count;
        series.set(s.id, s);
      }
      order = [...series.values()].sort(bySortKey);
      sources = new Map(snap.sources.map((src) => [src.id, src]));
      events = [];
      for (const [id, t, text] of snap.events) {
        const s = series.get(id);
        if (s !== undefined) events.push({ series: s, t, text });
      }
      rejections = snap.rejections.slice(-REJECTIONS_KEPT);
      conversation = snap.conversation.slice(-CONVERSATION_KEPT);
      stats = snap.stats;
      return { reset: true, added: [], changed: new Set(), sources: true, events: [], rejections: true, conversation: [], stats: true };
    },

    /** @param {LiveUpdate} u @param {number} id the event id @returns {Change} */
    applyUpdate(u, id) {
      clock(u.t);
      /** @type {Change} */
      const change = { reset: false, added: [], changed: new Set(), sources: false, events: [], rejections: false, conversation: [], stats: false };
      for (const decl of u.series ?? []) {
        const s = seriesOf(decl);
        series.set(s.id, s);
        change.added.push(s);
      }
      if (change.added.length > 0) {
        // One sort for a burst of new series; a few are inserted where they belong.
        if (change.added.length > 64) order = [...order, ...change.added].sort(bySortKey);
        else for (const s of change.added) order.splice(insertionIndex(order, s), 0, s);
      }
      for (const entry of u.samples ?? []) {
        const s = series.get(/** @type {number} */ (entry[0]));
        if (s === undefined) continue;
        const n = /** @type {number} */ (entry[1]);
        // An event series lists its changes, as the gateway's own list does.
        let seen = s.count > 0;
        if (s.count > 0) s.every = usualInterval(s.every, u.t - s.at);
        s.count += n;
        pointsSeen += n;
        s.at = u.t;
        for (let i = 2; i < entry.length; i += 2) {
          const t = u.t + /** @type {number} */ (entry[i]);
          const v = /** @type {number | string} */ (entry[i + 1]);
          const repeated = seen && s.value === v;
          seen = true;
          // Its value is its newest point's (samples come in time order within an event).
          if (t >= s.t) {
            s.t = t;
            s.value = v;
          }
          if (s.kind === 'm') {
            if (id > s.historyId) keepSample(s, t, /** @type {number} */ (v));
          } else if (!repeated) change.events.push({ series: s, t, text: String(v) });
        }
        if (s.waiting !== null) s.waiting.push({ id, base: u.t, flat: entry.slice(2) });
        change.changed.add(s);
      }
      const rates = u.rates ?? [];
      for (let i = 0; i < rates.length; i += 2) {
        const s = series.get(/** @type {number} */ (rates[i]));
        if (s === undefined) continue;
        s.rate = /** @type {number} */ (rates[i + 1]);
        change.changed.add(s);
      }
      for (const src of u.sources ?? []) sources.set(src.id, src);
      change.sources = (u.sources?.length ?? 0) > 0;
      // Oldest first, as the list expects, though they came series by series.
      change.events.sort((a, b) => a.t - b.t);
      if (change.events.length > 0) events = [...events, ...change.events].slice(-EVENTS_KEPT);
      if (u.rejections !== undefined) {
        rejections = [...rejections, ...u.rejections].slice(-REJECTIONS_KEPT);
        change.rejections = true;
      }
      if (u.conversation !== undefined) {
        conversation = [...conversation, ...u.conversation].slice(-CONVERSATION_KEPT);
        change.conversation = u.conversation;
      }
      if (u.stats !== undefined) {
        stats = u.stats;
        change.stats = true;
      }
      return change;
    },

    /**
     * Marks a series as wanting chart history; false when it already has it or asked.
     * @param {Series} s
     */
    want(s) {
      if (s.kind !== 'm' || s.samples !== null || s.waiting !== null) return false;
      s.waiting = [];
      return true;
    },

    /**
     * Takes chart history as of event `history.id`, then the stream samples that came after it.
     * @param {LiveHistory} history
     * @returns {Series[]} the series that now have samples
     */
    applyHistory(history) {
      /** @type {Series[]} */
      const done = [];
      for (const [key, flat] of Object.entries(history.series)) {
        const s = series.get(Number(key));
        if (s === undefined || s.waiting === null) continue;
        s.samples = { t: [], v: [] };
        for (let i = 0; i < flat.length; i += 2) keepSample(s, history.t + /** @type {number} */ (flat[i]), /** @type {number} */ (flat[i + 1]));
        for (const w of s.waiting) {
          if (w.id <= history.id) continue;
          for (let i = 0; i < w.flat.length; i += 2) keepSample(s, w.base + /** @type {number} */ (w.flat[i]), /** @type {number} */ (w.flat[i + 1]));
        }
        s.waiting = null;
        s.historyId = history.id;
        done.push(s);
      }
      return done;
    },

    /**
     * Forgets the chart samples of a series that left the screen long ago (memory stays bounded).
     * @param {Series} s
     */
    forget(s) {
      s.samples = null;
      s.waiting = null;
    },
  };
  return model;
}

/** @typedef {ReturnType<typeof createModel>} Model */

/**
 * Where `s` belongs in a sorted list.
 * @param {Series[]} list
 * @param {Series} s
 */
export function insertionIndex(list, s) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bySortKey(/** @type {Series} */ (list[mid]), s) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
