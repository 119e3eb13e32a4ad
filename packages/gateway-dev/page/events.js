// @ts-check
// The event list: points of class `event` (alerts, states, link lost or restored), newest first.
import { h, setText } from './dom.js';
import { formatClock, formatCount } from './format.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').EventItem} EventItem */
/** @typedef {import('./model.js').Change} Change */

/** Items in the DOM; older ones are dropped from the list (the gateway keeps its own 200). */
const SHOWN = 100;

const OK = /\b(restored|recovered|ok|online|up|clear|cleared|normal|resolved|connected|running)\b/;
const BAD = /\b(lost|fail|failed|failure|error|alarm|fault|critical|offline|down|trip|tripped|emergency)\b/;
const WARN = /\b(warn|warning|degraded|high|low|timeout|unstable)\b/;

/**
 * How an event looks: a `severity` or `level` tag when there is one, else words in its value,
 * else words in its metric name.
 * @param {EventItem} item
 * @returns {'ok' | 'warn' | 'bad' | 'info'}
 */
export function severityOf(item) {
  const tag = /\b(?:severity|level)=(\w+)/.exec(item.series.tagText)?.[1]?.toLowerCase();
  if (tag !== undefined) {
    if (/^(crit|critical|error|err|alarm|fatal|emergency|high)$/.test(tag)) return 'bad';
    if (/^(warn|warning|medium)$/.test(tag)) return 'warn';
    if (/^(ok|clear|cleared|resolved)$/.test(tag)) return 'ok';
  }
  const value = item.text.toLowerCase();
  if (OK.test(value)) return 'ok';
  if (BAD.test(value)) return 'bad';
  if (WARN.test(value)) return 'warn';
  const metric = item.series.metric.toLowerCase().replace(/[._-]/g, ' ');
  if (BAD.test(metric)) return 'bad';
  if (WARN.test(metric)) return 'warn';
  return 'info';
}

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} empty
 * @param {HTMLElement} count
 * @param {Model} model
 */
export function createEventList(list, empty, count, model) {
  /** @param {EventItem} item */
  const itemOf = (item) =>
    h('li', { class: 'ev', 'data-sev': severityOf(item), 'data-source': item.series.source },
      h('time', { class: 'num', datetime: new Date(item.t).toISOString() }, formatClock(item.t)),
      h('span', { class: 'ev-what' },
        // At most three lines show (style.css): the tooltip holds the rest of a long one, a JSON alarm.
        h('span', { class: 'ev-text', title: item.text }, item.text),
        h('span', { class: 'ev-src', title: `${item.series.source} · ${item.series.metric}` }, `${item.series.source} · ${item.series.metric}`)));

  const finish = () => {
    while (list.childElementCount > SHOWN) list.lastElementChild?.remove();
    empty.hidden = list.childElementCount > 0;
    const n = list.childElementCount;
    setText(count, n === 0 ? '' : n < SHOWN ? formatCount(n) : `latest ${SHOWN}`);
  };

  return {
    /** @param {Change} change */
    apply(change) {
      if (change.reset) {
        list.replaceChildren(...model.events.slice(-SHOWN).reverse().map(itemOf));
      } else if (change.events.length > 0) {
        list.prepend(...change.events.slice(-SHOWN).reverse().map(itemOf));
      } else {
        return;
      }
      finish();
    },
  };
}
