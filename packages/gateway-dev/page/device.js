// @ts-check
// Dashboard controls for one WebSocket device: the messages the Plexus dashboard sends
// (start/stop stream, start/stop session, configure, ping), sent through POST /_dev/control,
// and the conversation with the device as the stream reports it.
import { h, setText } from './dom.js';
import { formatClock } from './format.js';
import { sourceState } from './model.js';
import { withKey } from './key.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').LiveDeviceMessage} LiveDeviceMessage */

const CONVERSATION_SHOWN = 40;
const CONTROL_TIMEOUT_MS = 5000;

/**
 * @typedef {object} DeviceEls
 * @property {HTMLElement} panel
 * @property {HTMLElement} heading
 * @property {HTMLElement} name
 * @property {HTMLElement} state
 * @property {HTMLElement} meta
 * @property {HTMLFormElement} stream
 * @property {HTMLFormElement} session
 * @property {HTMLFormElement} configure
 * @property {HTMLElement} status
 * @property {HTMLElement} conversation
 * @property {HTMLButtonElement} close
 */

/** @param {Record<string, unknown>} frame */
function describe(frame) {
  const { type, ...rest } = frame;
  const json = JSON.stringify(rest);
  return [h('b', {}, String(type)), json === '{}' ? '' : ` ${json}`];
}

/**
 * @param {DeviceEls} els
 * @param {Model} model
 * @param {{ onClose: (id: string) => void }} hooks
 */
export function createDevicePanel(els, model, { onClose }) {
  /** @type {string | undefined} */
  let current;
  let busy = false;

  /** @param {string} text @param {'ok' | 'bad' | 'info'} kind */
  const say = (text, kind) => {
    els.status.dataset.kind = kind;
    setText(els.status, text);
  };

  /** @param {LiveDeviceMessage} m */
  const itemOf = (m) =>
    h('li', { class: 'msg', 'data-dir': m.dir, 'data-type': String(m.frame.type) },
      h('span', { class: 'arrow', 'aria-label': m.dir === 'out' ? 'sent' : 'received' }, m.dir === 'out' ? '→' : '←'),
      h('time', { class: 'num' }, formatClock(m.t)),
      h('code', {}, ...describe(m.frame)));

  const setEnabled = (/** @type {boolean} */ on) => {
    for (const form of [els.stream, els.session, els.configure]) {
      for (const el of form.querySelectorAll('button, input, textarea')) /** @type {HTMLButtonElement} */ (el).disabled = !on || busy;
    }
  };

  /** @param {Record<string, unknown>} message */
  async function send(message) {
    if (current === undefined) return;
    const target = current;
    busy = true;
    render();
    say(`Sending ${message.type}…`, 'info');
    const started = performance.now();
    try {
      const res = await fetch(withKey('/_dev/control'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source_id: target, message, timeout_ms: CONTROL_TIMEOUT_MS }),
      });
      const body = await res.json();
      if (!res.ok) return say(`${message.type} not sent: ${body.error ?? `HTTP ${res.status}`}`, 'bad');
      const result = body.results?.[0] ?? {};
      const ms = Math.round(performance.now() - started);
      if (result.error !== undefined) return say(`${message.type}: ${result.error}`, 'bad');
      const reply = result.reply ?? {};
      const refused = reply.type === 'error' || reply.ok === false;
      const detail = reply.error ?? reply.detail ?? '';
      say(`${message.type} → ${reply.type}${refused && detail ? `: ${detail}` : ''} (${ms} ms)`, refused ? 'bad' : 'ok');
    } catch (err) {
      say(`${message.type} failed: ${err instanceof Error ? err.message : String(err)}`, 'bad');
    } finally {
      busy = false;
      render();
    }
  }

  /** @param {HTMLFormElement} form @param {(data: FormData) => Record<string, unknown> | string} build */
  const onSubmit = (form, build) =>
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const message = build(new FormData(form));
      if (typeof message === 'string') return say(message, 'bad');
      void send(message);
    });

  onSubmit(els.stream, (data) => {
    const metrics = String(data.get('metrics') ?? '').split(/[\s,]+/).filter(Boolean);
    const raw = String(data.get('interval_ms') ?? '').trim();
    const interval = Number(raw);
    if (raw !== '' && !(Number.isFinite(interval) && interval >= 0)) return 'Interval must be a number of ms, 0 or more.';
    return { type: 'start_stream', ...(metrics.length > 0 ? { metrics } : {}), ...(raw !== '' ? { interval_ms: interval } : {}) };
  });
  onSubmit(els.session, (data) => {
    const sessionName = String(data.get('session_name') ?? '').trim();
    return { type: 'start_session', session_id: String(data.get('session_id') ?? '').trim(), ...(sessionName ? { session_name: sessionName } : {}) };
  });
  onSubmit(els.configure, (data) => {
    try {
      return { type: 'configure', id: `cfg-${Date.now()}`, config: JSON.parse(String(data.get('config') ?? '')) };
    } catch (err) {
      return `The config is not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
    }
  });
  els.panel.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('button[data-send]') : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const type = String(button.dataset.send);
    const session = current === undefined ? undefined : model.sources.get(current)?.device?.session;
    if (type === 'ping') void send({ type, id: `ping-${Date.now()}` });
    else if (type === 'stop_session' && session !== undefined) void send({ type, session_id: session });
    else void send({ type });
  });
  els.close.addEventListener('click', () => {
    const id = current;
    current = undefined;
    els.panel.hidden = true;
    if (id !== undefined) onClose(id);
  });

  function render() {
    if (current === undefined) return;
    const src = model.sources.get(current);
    const state = src === undefined ? 'disconnected' : sourceState(src, model.serverNow());
    setText(els.name, current);
    els.state.dataset.state = state;
    setText(els.state, state);
    const d = src?.device;
    const stream = d?.stream === undefined ? 'all metrics' : `${d.stream.metrics?.join(', ') ?? 'all metrics'}${d.stream.interval_ms ? ` every ${d.stream.interval_ms} ms` : ''}`;
    setText(els.meta, d === undefined ? '' : [d.platform, d.agentVersion, `since ${formatClock(d.connectedAtMs)}`, d.session ? `session ${d.session}` : 'no session', `streaming ${stream}`].filter(Boolean).join(' · '));
    setEnabled(state === 'connected');
  }

  return {
    /** @param {string} id */
    open(id) {
      if (current !== id) {
        current = id;
        say('', 'info');
        els.conversation.replaceChildren(...model.conversation.filter((m) => m.source === id).slice(-CONVERSATION_SHOWN).reverse().map(itemOf));
      }
      els.panel.hidden = false;
      render();
      els.heading.focus();
    },
    render,
    /** @param {LiveDeviceMessage[] | null} added new messages, or null to rebuild */
    conversation(added) {
      if (current === undefined) return;
      const id = current;
      if (added === null) {
        els.conversation.replaceChildren(...model.conversation.filter((m) => m.source === id).slice(-CONVERSATION_SHOWN).reverse().map(itemOf));
        return;
      }
      const mine = added.filter((m) => m.source === id);
      if (mine.length === 0) return;
      els.conversation.prepend(...mine.reverse().map(itemOf));
      while (els.conversation.childElementCount > CONVERSATION_SHOWN) els.conversation.lastElementChild?.remove();
    },
  };
}
