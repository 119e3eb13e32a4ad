// @ts-check
// What the gateway itself can see, as a receiver: counters, answers by status, what it refused
// and why, and the page's own stream.
import { h, setText } from './dom.js';
import { formatBytes, formatClock, formatCount, formatCounted } from './format.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').LiveRejection} LiveRejection */
/** @typedef {import('./stream.js').StreamStatus} StreamStatus */

const REJECTIONS_SHOWN = 20;
const VIA = { http: 'HTTP', ws: 'WebSocket', influx: 'Influx' };

/**
 * 2xx went through; 5xx and dropped connections are the service failing (the sender retries);
 * everything else (4xx, WebSocket error codes) is a refusal.
 * @param {string} status
 */
const statusClass = (status) => (/^2\d\d$/.test(status) ? 'ok' : /^(5\d\d|dropped)$/.test(status) ? 'warn' : 'bad');

/**
 * @param {{ facts: HTMLElement, statuses: HTMLElement, rejections: HTMLElement, rejectionsEmpty: HTMLElement, diag: HTMLElement }} els
 * @param {Model} model
 */
export function createFacts(els, model) {
  /** @param {string} label @param {string} value @param {string} [key] */
  const fact = (label, value, key) => h('div', key === undefined ? {} : { 'data-fact': key }, h('dt', {}, label), h('dd', { class: 'num' }, value));

  /** @param {LiveRejection} r */
  const rejectionOf = (r) =>
    h('li', { 'data-status': String(r.status) },
      h('span', { class: 'rej-head' },
        h('time', { class: 'num' }, formatClock(r.t)),
        h('span', { class: `chip ${statusClass(String(r.status))}` }, String(r.status)),
        h('span', { class: 'rej-src' }, [r.source, VIA[r.via]].filter(Boolean).join(' · '))),
      h('span', { class: 'rej-error' }, r.error));

  return {
    render() {
      const s = model.stats;
      if (s === null) return;
      const rows = [
        fact('Points stored', formatCount(s.points), 'points'),
        fact('Batches', formatCount(s.batches), 'batches'),
        fact('Duplicate batches', formatCount(s.duplicateBatches), 'duplicates'),
        fact('HTTP requests', formatCount(s.requests), 'requests'),
        fact('Bytes in (HTTP)', formatBytes(s.bytesIn), 'bytes'),
        fact('Page clients', `${formatCount(s.clients)}${s.droppedClients > 0 ? ` (${formatCount(s.droppedClients)} dropped, too slow)` : ''}`, 'clients'),
      ];
      if (s.untrackedPoints > 0) rows.push(fact('Not on this page', `${formatCounted(s.untrackedPoints, 'point')} (series limit)`, 'untracked'));
      els.facts.replaceChildren(...rows);
      const statuses = Object.entries(s.byStatus).sort(([a], [b]) => a.localeCompare(b));
      els.statuses.replaceChildren(
        ...statuses.map(([status, n]) => h('span', { class: `chip ${statusClass(status)}`, title: `${formatCounted(n, 'answer')} with status ${status}` }, `${status} × ${formatCount(n)}`)),
      );
      els.statuses.hidden = statuses.length === 0;
    },
    renderRejections() {
      els.rejections.replaceChildren(...model.rejections.slice(-REJECTIONS_SHOWN).reverse().map(rejectionOf));
      els.rejectionsEmpty.hidden = model.rejections.length > 0;
    },
    /**
     * The stream's health, in words and as data attributes (tests read those).
     * @param {StreamStatus} st
     */
    renderStream(st) {
      const expected = model.stats === null ? 0 : model.stats.points - model.stats.untrackedPoints;
      const d = els.diag.dataset;
      d.state = st.state;
      d.lastId = String(st.lastId ?? '');
      d.snapshots = String(st.snapshots);
      d.reconnects = String(st.reconnects);
      d.resumes = String(st.resumes);
      d.gaps = String(st.gaps);
      d.duplicates = String(st.duplicates);
      d.pagePoints = String(model.pointsSeen);
      d.gatewayPoints = String(expected);
      const resumed = st.reconnects === 0 ? 'never reconnected' : `reconnected ${st.reconnects}× (resumed ${st.resumes}×)`;
      setText(els.diag, `Stream ${st.state} · event ${st.lastId ?? '–'} · ${resumed} · ${formatCounted(st.gaps, 'gap')} · page holds ${formatCount(model.pointsSeen)} of ${formatCounted(expected, 'point')}`);
    },
  };
}
