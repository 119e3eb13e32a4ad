// @ts-check
// The source list: one card per source id, with its link state, rate and totals. A card
// filters the metric list to that source; WebSocket devices get a Control button.
import { h, setAttr, setText } from './dom.js';
import { formatAge, formatCount, formatCounted, formatRate } from './format.js';
import { isStale, sourceState } from './model.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').LiveSource} LiveSource */

const VIA = { http: 'HTTP', ws: 'WebSocket', influx: 'Influx' };
const LABELS = { connected: 'connected', disconnected: 'disconnected', refused: 'refused', receiving: 'receiving', idle: 'quiet' };

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} empty
 * @param {{ model: Model, onSelect: (id: string | undefined) => void, onControl: (id: string) => void }} deps
 */
export function createSourceList(list, empty, { model, onSelect, onControl }) {
  /** @type {Map<string, { li: HTMLElement, main: HTMLButtonElement, name: HTMLElement, pill: HTMLElement, line1: HTMLElement, line2: HTMLElement, control: HTMLButtonElement }>} */
  const cards = new Map();
  /** @type {string | undefined} */
  let selected;

  /** @param {string} id */
  const card = (id) => {
    let c = cards.get(id);
    if (c !== undefined) return c;
    const name = h('span', { class: 'src-name mono' }, id);
    const pill = h('span', { class: 'pill' });
    const line1 = h('span', { class: 'src-line num' });
    const line2 = h('span', { class: 'src-line faint' });
    const main = h('button', { type: 'button', class: 'source-main', 'aria-pressed': 'false' },
      h('span', { class: 'src-top' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), name, pill), line1, line2);
    const control = h('button', { type: 'button', class: 'ctl-btn', 'aria-label': `Control ${id}`, hidden: true }, 'Control device');
    const li = h('li', { class: 'source', 'data-id': id }, main, control);
    main.addEventListener('click', () => {
      selected = selected === id ? undefined : id;
      onSelect(selected);
      render();
    });
    control.addEventListener('click', () => onControl(id));
    c = { li, main, name, pill, line1, line2, control };
    cards.set(id, c);
    return c;
  };

  function render() {
    const now = model.serverNow();
    const ids = [...model.sources.keys()].sort();
    for (const [id, c] of cards) {
      if (!model.sources.has(id)) {
        c.li.remove();
        cards.delete(id);
      }
    }
    // Series of each source that stopped arriving (a tag with a dead battery among a gateway's hundred).
    /** @type {Map<string, number>} */
    const staleBy = new Map();
    for (const s of model.order) if (isStale(s, now, model.sources.get(s.source))) staleBy.set(s.source, (staleBy.get(s.source) ?? 0) + 1);
    let previous = /** @type {Element | null} */ (null);
    for (const id of ids) {
      const src = /** @type {LiveSource} */ (model.sources.get(id));
      const c = card(id);
      const state = sourceState(src, now);
      setAttr(c.li, 'data-state', state);
      setText(c.pill, LABELS[state]);
      setAttr(c.main, 'aria-pressed', String(selected === id));
      setAttr(c.main, 'aria-label', `${id}, ${LABELS[state]}: ${selected === id ? 'showing only its metrics (press to show all)' : 'show only its metrics'}`);
      // A device refused at its first connection has sent nothing yet, but it came by WebSocket.
      const via = src.via.map((v) => VIA[v]).join(' + ') || (src.link !== undefined ? 'WebSocket' : '');
      const counts = [via, formatRate(src.rate), formatCounted(src.points, 'pt'), src.rejected > 0 ? `${formatCount(src.rejected)} refused` : '', staleBy.has(id) ? `${formatCount(staleBy.get(id) ?? 0)} stale` : ''];
      setText(c.line1, counts.filter(Boolean).join(' · '));
      const seen = src.lastSeenMs === undefined ? 'no points yet' : `last point ${formatAge(now - src.lastSeenMs)} ago`;
      const why = state === 'refused' || state === 'disconnected' ? src.reason : undefined;
      const device = src.device === undefined ? [] : [src.device.agentVersion, src.device.session && `session ${src.device.session}`];
      setText(c.line2, [why ?? seen, ...device].filter(Boolean).join(' · '));
      c.control.hidden = src.device === undefined;
      const expected = previous === null ? list.firstElementChild : previous.nextElementSibling;
      if (expected !== c.li) (previous === null ? list.prepend(c.li) : previous.after(c.li));
      previous = c.li;
    }
    empty.hidden = ids.length > 0;
  }

  return {
    render,
    /** @param {string | undefined} id */
    select(id) {
      selected = id;
      render();
    },
  };
}
