// @ts-check
// The metric list: a grid of fixed-height rows of which only the visible ones (and a few
// around them) exist in the DOM, reused as the list scrolls, so 10,000 metrics cost what 40 do.
import { createSparkline } from './charts.js';
import { h, setAttr, setText } from './dom.js';
import { formatAge, formatRate, formatValue } from './format.js';
import { STALE_INTERVALS, STALE_MIN_MS, insertionIndex, isStale, isUnchanged } from './model.js';

/** @typedef {import('./model.js').Series} Series */
/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').Change} Change */
/** @typedef {import('./charts.js').Sparkline} Sparkline */

/**
 * @typedef {object} RowView
 * @property {HTMLElement} el
 * @property {HTMLElement} nameCell
 * @property {HTMLElement} name
 * @property {HTMLElement} meta
 * @property {HTMLElement} valueCell
 * @property {HTMLElement} value
 * @property {HTMLElement} unit
 * @property {HTMLElement} age
 * @property {HTMLElement} rate
 * @property {HTMLElement} chartBox
 * @property {Sparkline | undefined} chart
 * @property {Series | null} series
 * @property {number} fit the most characters its number takes without being cut, learnt by measuring
 */

/** Rows drawn above and below the visible ones, so a fast scroll shows no blank rows. */
const OVERSCAN = 6;
/** A burst of new series at least this large re-sorts the list once rather than inserting each. */
const BULK = 64;

/**
 * @param {HTMLElement} grid the scrolling element (role grid)
 * @param {{ model: Model, history: ReturnType<typeof import('./charts.js').createHistoryLoader>, onCount: (shown: number, total: number) => void, onStale: (stale: number) => void }} deps
 */
export function createMetricList(grid, { model, history, onCount, onStale }) {
  const body = /** @type {HTMLElement} */ (grid.querySelector('.grid-body'));
  const header = /** @type {HTMLElement} */ (grid.querySelector('.grid-header'));
  /** @type {Series[]} the filtered rows, in order */
  let rows = [];
  /** @type {string[]} */
  let words = [];
  /** @type {string | undefined} */
  let onlySource;
  /** Only the series that stopped arriving. */
  let onlyStale = false;
  /** @type {Map<number, RowView>} row index -> view */
  const bound = new Map();
  /** @type {RowView[]} */
  const spare = [];
  /** @type {Set<Series>} */
  let changed = new Set();
  /** @type {RowView[]} rows whose number was written this frame, to check it is not cut */
  let toFit = [];
  let active = -1;
  let frame = 0;
  let rowH = 44;
  let chartW = 160;
  let chartH = 32;
  let views = 0;

  const readSizes = () => {
    const style = getComputedStyle(grid);
    rowH = parseFloat(style.getPropertyValue('--row-h')) || 44;
    chartW = parseFloat(style.getPropertyValue('--chart-w')) || 160;
    chartH = parseFloat(style.getPropertyValue('--chart-h')) || 32;
  };

  /** @param {Series} s */
  const matches = (s) =>
    (onlySource === undefined || s.source === onlySource) && words.every((w) => s.search.includes(w)) && (!onlyStale || isStale(s, model.serverNow(), model.sources.get(s.source)));

  /**
   * A series that stopped arriving is greyed, its age in the warning colour, the reason in the
   * age's tooltip, so a dead tag stands out among hundreds that are live. One seen once while
   * its source still sends is not stale: its tooltip says why.
   * @param {RowView} v @param {number} now
   */
  const markStale = (v, now) => {
    const s = /** @type {Series} */ (v.series);
    const src = model.sources.get(s.source);
    if (!isStale(s, now, src)) {
      v.el.classList.remove('stale');
      if (isUnchanged(s, now, src)) setAttr(v.age, 'title', 'Sent once, and its source still sends: not stale (a setpoint, or a value sent only when it changes)');
      else if (v.age.hasAttribute('title')) v.age.removeAttribute('title');
      return;
    }
    v.el.classList.add('stale');
    const usual = s.every > 0 ? ` (it usually sends every ${formatAge(s.every)})` : '';
    setAttr(v.age, 'title', `Stale: no point for over ${formatAge(Math.max(STALE_MIN_MS, STALE_INTERVALS * s.every))}${usual}`);
  };

  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(render);
  };

  /** @returns {RowView} */
  const createView = () => {
    const name = h('span', { class: 'metric' });
    const meta = h('span', { class: 'meta' });
    const value = h('span', { class: 'v' });
    const unit = h('span', { class: 'u' });
    const age = h('span', { class: 'c-age num', role: 'gridcell' });
    const rate = h('span', { class: 'c-rate num', role: 'gridcell' });
    const chartBox = h('span', { class: 'spark' });
    const nameCell = h('span', { class: 'c-name', role: 'gridcell' }, name, meta);
    const valueCell = h('span', { class: 'c-value num', role: 'gridcell' }, value, unit);
    const el = h(
      'div',
      { class: 'row', role: 'row', id: `metric-row-${views++}` },
      nameCell,
      valueCell,
      age,
      rate,
      h('span', { class: 'c-chart', role: 'gridcell', 'aria-hidden': 'true' }, chartBox),
    );
    body.append(el);
    return { el, nameCell, name, meta, valueCell, value, unit, age, rate, chartBox, chart: undefined, series: null, fit: Infinity };
  };

  /** @param {RowView} v */
  const fill = (v) => {
    const s = /** @type {Series} */ (v.series);
    setText(v.value, formatValue(s.value, v.fit));
    // The whole value, exact, with its unit: what the cell shows may be rounded (numbers) or cut (text).
    setAttr(v.valueCell, 'title', s.unit === '' ? String(s.value) : `${s.value} ${s.unit}`);
    if (typeof s.value === 'number') toFit.push(v);
    setText(v.age, s.at === 0 ? '–' : formatAge(model.serverNow() - s.at));
    markStale(v, model.serverNow());
    setText(v.rate, formatRate(s.rate));
    if (s.kind === 'm') {
      history.use(s);
      v.chart?.draw(s.samples);
    }
  };

  /** @param {RowView} v @param {Series} s @param {number} i */
  const assign = (v, s, i) => {
    v.series = s;
    v.el.hidden = false;
    v.el.style.transform = `translateY(${i * rowH}px)`;
    setAttr(v.el, 'aria-rowindex', String(i + 2));
    v.el.dataset.source = s.source;
    v.el.dataset.metric = s.metric;
    v.el.dataset.kind = s.kind;
    v.el.classList.toggle('active', i === active);
    v.fit = Infinity;
    setText(v.name, s.metric);
    const meta = s.tagText === '' ? s.source : `${s.source} · ${s.tagText}`;
    setText(v.meta, meta);
    // Long names and tags are cut at the end, where series of one device often differ
    // (`...room12.supply_temp`, `state=fired`): the whole of both is in the cell's tooltip.
    setAttr(v.nameCell, 'title', `${s.metric}\n${meta}`);
    setText(v.unit, s.unit);
    if (s.kind === 'm') v.chart ??= createSparkline(v.chartBox, chartW, chartH);
    v.chartBox.classList.toggle('is-event', s.kind === 'e');
    fill(v);
  };

  /** @param {number} i @param {RowView} v */
  const release = (i, v) => {
    bound.delete(i);
    v.series = null;
    v.el.hidden = true;
    spare.push(v);
  };

  /**
   * A number too wide for its cell is written again rounded to fit (formatValue), never left cut
   * by the ellipsis. Every width is read at once, after the frame's writes, so a frame costs one
   * layout, and a second only when a number did not fit; each row remembers what fits, so the
   * next values of that row are written right the first time.
   */
  const fitNumbers = () => {
    let pending = toFit;
    toFit = [];
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      const over = pending.filter((v) => v.value.scrollWidth > v.value.clientWidth);
      for (const v of over) {
        const shown = v.value.textContent?.length ?? 0;
        const guess = Math.floor((shown * v.value.clientWidth) / v.value.scrollWidth);
        v.fit = Math.max(1, Math.min(shown - 1, guess));
        setText(v.value, formatValue(/** @type {Series} */ (v.series).value, v.fit));
      }
      pending = over;
    }
  };

  function render() {
    frame = 0;
    const top = grid.scrollTop;
    const height = grid.clientHeight - header.offsetHeight;
    const first = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((top + height) / rowH) + OVERSCAN);
    for (const [i, v] of bound) if (i < first || i >= last || v.series !== rows[i]) release(i, v);
    for (let i = first; i < last; i++) {
      const s = /** @type {Series} */ (rows[i]);
      const v = bound.get(i);
      if (v === undefined) {
        const fresh = spare.pop() ?? createView();
        bound.set(i, fresh);
        assign(fresh, s, i);
      } else if (changed.has(s)) {
        fill(v);
      }
    }
    changed = new Set();
    fitNumbers();
    const current = bound.get(active);
    if (current !== undefined) setAttr(grid, 'aria-activedescendant', current.el.id);
    else grid.removeAttribute('aria-activedescendant');
  }

  const layout = () => {
    body.style.height = `${rows.length * rowH}px`;
    setAttr(grid, 'aria-rowcount', String(rows.length + 1));
    onCount(rows.length, model.order.length);
    schedule();
  };

  /** Rebuilds the rows from the model, keeping the top visible row where it was. */
  const rebuild = () => {
    const anchor = grid.scrollTop > 0 ? rows[Math.floor(grid.scrollTop / rowH)] : undefined;
    const offset = grid.scrollTop % rowH;
    const activeSeries = rows[active];
    rows = model.order.filter(matches);
    active = activeSeries === undefined ? -1 : rows.indexOf(activeSeries);
    layout();
    if (anchor !== undefined) {
      const at = rows.indexOf(anchor);
      if (at >= 0) grid.scrollTop = at * rowH + offset;
    }
  };

  /**
   * New series go where they sort; when the list is scrolled, rows inserted above the top one
   * scroll it down by as much, so what the user reads does not move.
   * @param {Series[]} added
   */
  const insert = (added) => {
    if (added.length >= BULK) return rebuild();
    let top = Math.floor(grid.scrollTop / rowH);
    let shift = 0;
    let any = false;
    for (const s of added) {
      if (!matches(s)) continue;
      const i = insertionIndex(rows, s);
      rows.splice(i, 0, s);
      any = true;
      if (active >= i) active += 1;
      if (grid.scrollTop > 0 && i <= top) {
        shift += 1;
        top += 1;
      }
    }
    if (!any) return onCount(rows.length, model.order.length);
    layout();
    if (shift > 0) grid.scrollTop += shift * rowH;
  };

  /** @param {number} i */
  const setActive = (i) => {
    if (rows.length === 0) return;
    const next = Math.min(rows.length - 1, Math.max(0, i));
    bound.get(active)?.el.classList.remove('active');
    active = next;
    const view = grid.clientHeight - header.offsetHeight;
    if (next * rowH < grid.scrollTop) grid.scrollTop = next * rowH;
    else if ((next + 1) * rowH > grid.scrollTop + view) grid.scrollTop = (next + 1) * rowH - view;
    bound.get(active)?.el.classList.add('active');
    render();
  };

  grid.addEventListener('scroll', schedule, { passive: true });
  grid.addEventListener('focus', () => {
    if (active < 0) setActive(Math.floor(grid.scrollTop / rowH));
  });
  grid.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor((grid.clientHeight - header.offsetHeight) / rowH) - 1);
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + page, PageUp: active - page, Home: 0, End: rows.length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    setActive(/** @type {number} */ (moves[e.key]));
  });
  body.addEventListener('click', (e) => {
    const row = /** @type {HTMLElement | null} */ (e.target instanceof Element ? e.target.closest('.row') : null);
    const entry = [...bound].find(([, v]) => v.el === row);
    if (entry !== undefined) setActive(entry[0]);
  });
  new ResizeObserver(() => {
    const before = [rowH, chartW, chartH].join();
    readSizes();
    // Cells may be wider or narrower now: every number is fitted again.
    for (const v of bound.values()) {
      v.fit = Infinity;
      if (v.series !== null) changed.add(v.series);
    }
    if ([rowH, chartW, chartH].join() !== before) {
      for (const v of [...bound.values(), ...spare]) v.chart?.resize(chartW, chartH);
      for (const [i, v] of bound) release(i, v);
      rebuild();
    } else {
      schedule();
    }
  }).observe(grid);
  readSizes();

  return {
    /** @param {Change} change */
    apply(change) {
      if (change.reset) return rebuild();
      if (change.added.length > 0) insert(change.added);
      for (const s of change.changed) changed.add(s);
      schedule();
    },
    /** Charts whose history arrived. @param {Series[]} loaded */
    loaded(loaded) {
      for (const s of loaded) changed.add(s);
      schedule();
    },
    /** @param {string} text */
    setFilter(text) {
      words = text.toLowerCase().split(/\s+/).filter(Boolean);
      grid.scrollTop = 0;
      rebuild();
    },
    /** @param {string | undefined} source */
    setSource(source) {
      onlySource = source;
      grid.scrollTop = 0;
      rebuild();
    },
    /** @param {boolean} on only the series that stopped arriving */
    setStaleOnly(on) {
      onlyStale = on;
      grid.scrollTop = 0;
      rebuild();
    },
    /** Refreshes the ages and stale marks of the visible rows, and the stale count (once a second). */
    tick() {
      const now = model.serverNow();
      for (const v of bound.values()) {
        if (v.series === null || v.series.at === 0) continue;
        setText(v.age, formatAge(now - v.series.at));
        markStale(v, now);
      }
      let stale = 0;
      for (const s of model.order) if (isStale(s, now, model.sources.get(s.source))) stale += 1;
      onStale(stale);
      // Showing only stale series: one that came back leaves the list, one that stopped joins it.
      if (onlyStale) {
        const next = model.order.filter(matches);
        if (next.length !== rows.length || next.some((s, i) => s !== rows[i])) rebuild();
      }
    },
  };
}
