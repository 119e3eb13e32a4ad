import type { Logger } from 'pino';
import type { WhenFull } from '../spool/spool.js';
import type { ConnectionObserver } from '../transport/transport.js';
import type { DropReason } from './sink-metrics.js';

/**
 * What a sink tells an app about its connection and its data (as the RelayX SDK does). Over
 * HTTP the connection is judged from the answers: `connected` at the first stored batch,
 * `disconnected` when sending starts failing; over WebSocket from the connection itself.
 */
export interface SinkEventMap {
  /** The receiver answered for the first time (HTTP: stored a batch; WebSocket: authenticated). */
  connected: { transport: string };
  /** A working connection was lost, or the receiver stopped answering; data stays spooled. */
  disconnected: { reason: string };
  /** The next attempt is scheduled: the `attempt`-th since the last success, in `delayMs`. */
  reconnecting: { attempt: number; delayMs: number };
  /** The receiver answers again after `disconnected` or `auth_failed`; `downMs` it was away. */
  reconnected: { downMs: number };
  /** The receiver refuses the API key (401/403, or `device_auth` refused); data stays spooled. Once per episode. */
  auth_failed: { status?: number; message: string };
  /** Everything held back by an outage (or left by an earlier run) has been delivered. */
  backlog_drained: { durationMs: number };
  /** The spool reached `buffer.max_bytes` and `when_full` applies. Once per episode. */
  spool_full: { whenFull: WhenFull };
  /**
   * Points were dropped for `reason`: `count` by the call that started the episode, `total` for
   * that reason since the sink started. Once per episode (a minute without such drops ends one);
   * `fieldbridge_points_dropped_total{reason}` counts every one.
   */
  points_dropped: { reason: DropReason; count: number; total: number };
}

/** A sink event name. */
export type SinkEvent = keyof SinkEventMap;

/**
 * A listener of event `E`. It may be async: a promise it returns that rejects is logged like a
 * throw (never an unhandled rejection); the sink does not wait for it.
 */
export type SinkListener<E extends SinkEvent> = (payload: SinkEventMap[E]) => void;

/** Subscribing to a sink's events. */
export interface SinkEvents {
  /** Calls `listener` at each `event`; returns a function that removes it. */
  on<E extends SinkEvent>(event: E, listener: SinkListener<E>): () => void;
  /** Removes a listener added with `on`. */
  off<E extends SinkEvent>(event: E, listener: SinkListener<E>): void;
}

/** The sink's side: subscribing plus emitting. */
export interface SinkEventHub extends SinkEvents {
  emit<E extends SinkEvent>(event: E, payload: SinkEventMap[E]): void;
}

/**
 * Creates a {@link SinkEventHub}. A listener that throws, or returns a promise that rejects, is
 * logged and never stops the sink.
 */
export function createSinkEvents(logger: Logger): SinkEventHub {
  const listeners = new Map<SinkEvent, Set<(payload: never) => unknown>>();
  const failed = (event: SinkEvent, err: unknown) => logger.error({ err, event }, `a listener of the sink's ${event} event threw; the sink carries on`);
  const hub: SinkEventHub = {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => unknown);
      return () => hub.off(event, listener);
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener as (payload: never) => unknown);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          const result: unknown = (listener as SinkListener<typeof event>)(payload);
          // An async listener: its rejection is its throw.
          if (isThenable(result)) result.then(undefined, (err: unknown) => failed(event, err));
        } catch (err) {
          failed(event, err);
        }
      }
    },
  };
  return hub;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * Turns connection reports into `connected`, `disconnected`, `reconnecting`, `reconnected` and
 * `auth_failed` events, each at its transition only. `now` is monotonic ms.
 */
export function connectionEvents(hub: SinkEventHub, transport: string, now: () => number): ConnectionObserver {
  let state: 'initial' | 'up' | 'down' | 'refused' = 'initial';
  let everUp = false;
  let downSince = 0;
  const leaveUp = () => {
    if (state === 'up' || state === 'initial') downSince = now();
  };
  return {
    up() {
      if (state === 'up') return;
      if (everUp) hub.emit('reconnected', { downMs: Math.max(0, now() - downSince) });
      else hub.emit('connected', { transport });
      everUp = true;
      state = 'up';
    },
    down(reason) {
      if (state === 'up') hub.emit('disconnected', { reason });
      leaveUp();
      if (state !== 'refused') state = 'down';
    },
    retrying(attempt, delayMs) {
      hub.emit('reconnecting', { attempt, delayMs: Math.round(delayMs) });
    },
    refused(message, status) {
      if (state === 'refused') return;
      if (state === 'up') hub.emit('disconnected', { reason: message });
      leaveUp();
      state = 'refused';
      hub.emit('auth_failed', { ...(status === undefined ? {} : { status }), message });
    },
  };
}

/** A minute without drops of a reason ends its episode. */
const DROP_EPISODE_GAP_MS = 60_000;

/** Emits `points_dropped` once per episode of each reason. `now` is monotonic ms. */
export function dropEpisodes(hub: SinkEventHub, now: () => number): (reason: DropReason, count: number) => void {
  const totals = new Map<DropReason, number>();
  const last = new Map<DropReason, number>();
  return (reason, count) => {
    if (count <= 0) return;
    const t = now();
    const total = (totals.get(reason) ?? 0) + count;
    totals.set(reason, total);
    const previous = last.get(reason);
    last.set(reason, t);
    if (previous === undefined || t - previous >= DROP_EPISODE_GAP_MS) hub.emit('points_dropped', { reason, count, total });
  };
}
