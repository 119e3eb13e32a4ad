// @ts-check
// The live page: wires the stream to the model and the model to the views.
import { createHistoryLoader, loadCharts } from './charts.js';
import { createDevicePanel } from './device.js';
import { byId, setText } from './dom.js';
import { createEventList } from './events.js';
import { createFacts } from './facts.js';
import { formatCount, formatCounted, formatRate } from './format.js';
import { createMetricList } from './metric-list.js';
import { createModel } from './model.js';
import { createSourceList } from './sources.js';
import { openStream } from './stream.js';

/** @typedef {import('./model.js').Change} Change */

const FILTER_DELAY_MS = 120;
const STATUS_LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

const model = createModel();
const statusEl = byId('stream-status');
const emptyEl = byId('metrics-empty');
const gridEl = byId('metrics-grid');
const sourceClear = byId('source-clear', HTMLButtonElement);
const staleOnly = byId('stale-only', HTMLButtonElement);

// Charts come a moment later than values if uPlot is slow to load; values never wait for it.
await loadCharts().catch((err) => console.error('charts are off: uPlot did not load', err));

const history = createHistoryLoader(model, (loaded) => list.loaded(loaded));
const list = createMetricList(gridEl, {
  model,
  history,
  onCount(shown, total) {
    setText(byId('metric-count'), shown === total ? formatCounted(total, 'metric') : `${formatCount(shown)} of ${formatCount(total)}`);
  },
  onStale(stale) {
    // Shown while some series stopped arriving, and while pressed, so it can be let go.
    setText(staleOnly, `${formatCount(stale)} stale`);
    staleOnly.hidden = stale === 0 && staleOnly.getAttribute('aria-pressed') !== 'true';
  },
});
const sources = createSourceList(byId('sources'), byId('sources-empty'), {
  model,
  onSelect(id) {
    list.setSource(id);
    sourceClear.hidden = id === undefined;
  },
  onControl: (id) => device.open(id),
});
const events = createEventList(byId('events'), byId('events-empty'), byId('event-count'), model);
const facts = createFacts(
  { facts: byId('facts'), statuses: byId('statuses'), rejections: byId('rejections'), rejectionsEmpty: byId('rejections-empty'), diag: byId('stream-diag') },
  model,
);
const device = createDevicePanel(
  {
    panel: byId('device-panel'),
    heading: byId('device-h'),
    name: byId('device-name'),
    state: byId('device-state'),
    meta: byId('device-meta'),
    stream: byId('ctl-stream', HTMLFormElement),
    session: byId('ctl-session', HTMLFormElement),
    configure: byId('ctl-configure', HTMLFormElement),
    status: byId('ctl-status'),
    conversation: byId('conversation'),
    close: byId('device-close', HTMLButtonElement),
  },
  model,
  {
    onClose(id) {
      // Focus goes back to the button that opened the panel.
      /** @type {HTMLElement | null} */ (document.querySelector(`.source[data-id="${CSS.escape(id)}"] .ctl-btn`))?.focus();
    },
  },
);

sourceClear.addEventListener('click', () => {
  sources.select(undefined);
  list.setSource(undefined);
  sourceClear.hidden = true;
});

staleOnly.addEventListener('click', () => {
  const on = staleOnly.getAttribute('aria-pressed') !== 'true';
  staleOnly.setAttribute('aria-pressed', String(on));
  list.setStaleOnly(on);
});

let filterTimer = 0;
byId('filter', HTMLInputElement).addEventListener('input', (e) => {
  const text = /** @type {HTMLInputElement} */ (e.target).value;
  clearTimeout(filterTimer);
  filterTimer = window.setTimeout(() => list.setFilter(text), FILTER_DELAY_MS);
});

const origin = window.location.origin;
setText(
  byId('how-to'),
  `curl -X POST ${origin}/ingest \\\n  -H 'x-api-key: <your key>' -H 'content-type: application/json' \\\n  -d '{"source_id":"demo","points":[{"metric":"room.temperature","value":21.5,"tags":{"unit":"°C"}}]}'\n\n# or in a mapping file\nsink: { url: ${origin.replace(/^http/, 'ws')}/ws/device, api_key: <your key> }`,
);

function renderTotals() {
  const stats = model.stats;
  let rate = 0;
  for (const src of model.sources.values()) rate += src.rate;
  setText(byId('total-rate'), formatRate(rate).replace('/s', ''));
  setText(byId('total-points'), stats === null ? '–' : formatCount(stats.points));
  setText(byId('total-sources'), formatCount(model.sources.size));
  setText(byId('total-series'), formatCount(model.order.length));
  // The labels under the totals read with their numbers: `1 source`, `2 sources`.
  setText(byId('total-points-label'), stats?.points === 1 ? 'point' : 'points');
  setText(byId('total-sources-label'), model.sources.size === 1 ? 'source' : 'sources');
  setText(byId('total-series-label'), model.order.length === 1 ? 'metric' : 'metrics');
}

/** @param {Change} change */
function apply(change) {
  const empty = model.order.length === 0;
  emptyEl.hidden = !empty;
  gridEl.hidden = empty;
  list.apply(change);
  events.apply(change);
  if (change.reset || change.sources) {
    sources.render();
    device.render();
  }
  if (change.reset || change.stats) facts.render();
  if (change.reset || change.rejections) facts.renderRejections();
  if (change.reset) device.conversation(null);
  else if (change.conversation.length > 0) device.conversation(change.conversation);
  renderTotals();
}

const stream = openStream('/_dev/live', {
  snapshot: (data) => apply(model.applySnapshot(data)),
  update: (data, id) => apply(model.applyUpdate(data, id)),
  status(st) {
    statusEl.dataset.state = st.state;
    setText(/** @type {HTMLElement} */ (statusEl.querySelector('.label')), STATUS_LABELS[st.state]);
    facts.renderStream(st);
  },
});

// Ages and "receiving" states move with time even when no event comes.
setInterval(() => {
  list.tick();
  sources.render();
  device.render();
  facts.renderStream(stream.status());
}, 1000);
