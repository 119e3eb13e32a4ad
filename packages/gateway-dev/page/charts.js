// @ts-check
// Small uPlot charts for the visible rows, and the chart history they load from the gateway.
// uPlot is served by the gateway from its npm package (never a CDN) and loaded once.
import { withKey } from './key.js';

/** @typedef {import('./model.js').Series} Series */
/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('uplot')} UPlot */
/** @typedef {typeof import('uplot')} UPlotClass */

/** @type {UPlotClass | undefined} */
let UPlotCtor;

/** Loads uPlot; the page shows values without charts until it is there. */
export async function loadCharts() {
  // A variable specifier: the file exists on the server, not beside this one in the package.
  const url = './vendor/uplot.esm.js';
  const mod = await import(url);
  UPlotCtor = mod.default;
}

/** Line and fill colours from the stylesheet, so dark mode applies to charts too. */
function colours() {
  const style = getComputedStyle(document.documentElement);
  return { line: style.getPropertyValue('--chart-line').trim() || '#0f6f6a', fill: style.getPropertyValue('--chart-fill').trim() || 'transparent' };
}

/**
 * A flat line still gets some height, so it is drawn in the middle rather than on an edge.
 * @param {UPlot} _u @param {number | null} min @param {number | null} max @returns {[number, number]}
 */
function yRange(_u, min, max) {
  if (min === null || max === null) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  const pad = (max - min) * 0.12;
  return [min - pad, max + pad];
}

/**
 * One sample is drawn as a dot in the middle rather than not at all.
 * @param {UPlot} _u @param {number | null} min @param {number | null} max @returns {[number, number]}
 */
function xRange(_u, min, max) {
  if (min === null || max === null) return [0, 1];
  return min === max ? [min - 1, max + 1] : [min, max];
}

/**
 * A chart without axes or legend in `container`, `width` x `height` CSS pixels.
 * @param {HTMLElement} container @param {number} width @param {number} height
 */
export function createSparkline(container, width, height) {
  if (UPlotCtor === undefined) return undefined;
  const c = colours();
  const u = new UPlotCtor(
    {
      width,
      height,
      padding: [3, 2, 3, 2],
      cursor: { show: false },
      legend: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: false, range: xRange }, y: { range: yRange } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: c.line, width: 1.5, fill: c.fill, points: { show: (_u, _si, i0, i1) => i1 - i0 < 3, size: 4 } }],
    },
    [[], []],
    container,
  );
  return {
    /** @param {{ t: number[], v: number[] } | null} samples */
    draw(samples) {
      u.setData(samples === null ? [[], []] : [samples.t.map((t) => t / 1000), samples.v.slice()]);
    },
    /** @param {number} w @param {number} h */
    resize(w, h) {
      u.setSize({ width: w, height: h });
    },
  };
}

/** @typedef {NonNullable<ReturnType<typeof createSparkline>>} Sparkline */

/** Series whose chart samples are kept; past this the longest unseen ones are forgotten. */
const LOADED_MAX = 800;
const BATCH_DELAY_MS = 40;
const BATCH_MAX = 200;

/**
 * Loads chart history for series as they come into view, a batch per request.
 * @param {Model} model
 * @param {(loaded: Series[]) => void} onLoaded
 */
export function createHistoryLoader(model, onLoaded) {
  /** @type {Set<number>} */
  const queue = new Set();
  /** @type {Map<number, Series>} in order of last use */
  const loaded = new Map();
  let timer = 0;

  const schedule = () => {
    if (timer === 0) timer = window.setTimeout(flush, BATCH_DELAY_MS);
  };
  const flush = async () => {
    timer = 0;
    const ids = [...queue].slice(0, BATCH_MAX);
    for (const id of ids) queue.delete(id);
    if (queue.size > 0) schedule();
    try {
      const res = await fetch(withKey(`/_dev/live/history?ids=${ids.join(',')}`), { cache: 'no-store' });
      if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
      onLoaded(model.applyHistory(await res.json()));
    } catch {
      // The next time these rows are drawn they ask again.
      for (const id of ids) {
        const s = model.series.get(id);
        if (s !== undefined && s.samples === null) model.forget(s);
      }
    }
  };

  return {
    /**
     * The series is on screen: load its history if needed, and keep its samples.
     * @param {Series} s
     */
    use(s) {
      if (s.kind !== 'm') return;
      loaded.delete(s.id);
      loaded.set(s.id, s);
      if (model.want(s)) {
        queue.add(s.id);
        schedule();
      }
      while (loaded.size > LOADED_MAX) {
        const [id, oldest] = /** @type {[number, Series]} */ (loaded.entries().next().value);
        loaded.delete(id);
        model.forget(oldest);
      }
    },
  };
}
