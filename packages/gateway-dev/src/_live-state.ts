import type { GatewayObserver } from './_observer.js';
import { createSeriesTable } from './_live-series.js';
import { createSourceTable } from './_live-sources.js';
import type { LiveDeviceMessage, LiveHistory, LiveRejection, LiveSnapshot, LiveStats, LiveUpdate } from './live-types.js';
import type { GatewayStats } from './types.js';

/** Refusals kept for a snapshot. */
const REJECTIONS_KEPT = 50;
/** Device messages kept for a snapshot. */
const CONVERSATION_KEPT = 100;
const MAX_ERROR = 300;
const MAX_FRAME_JSON = 2000;
/** Device frames the conversation leaves out: the protocol's plumbing, not answers. */
const PLUMBING = new Set(['telemetry', 'ack', 'heartbeat', 'time_sync', 'authenticated']);

export interface LiveStateOptions {
  maxSeries: number;
  maxSources: number;
  /** The gateway clock, epoch ms. */
  now(): number;
  /** The store's counters. */
  counters(): GatewayStats;
  /** The stream's client counts. */
  clients(): { clients: number; droppedClients: number };
}

/**
 * What the live page shows, fed by the {@link GatewayObserver} calls. Points wait in a pending
 * area until `commit()`, so a snapshot always shows exactly the state after the last update.
 */
export interface LiveState extends GatewayObserver {
  /** Moves what arrived since the last commit into the state; undefined when nothing changed. */
  commit(): LiveUpdate | undefined;
  snapshot(): LiveSnapshot;
  history(ids: readonly number[], eventId: number): LiveHistory;
  reset(): void;
}

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function boundedFrame(frame: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(frame);
  return json.length <= MAX_FRAME_JSON ? frame : { type: frame.type, truncated: true, text: json.slice(0, MAX_FRAME_JSON) };
}

/** Keeps the last `keep` items of a list that only grows, trimming in steps. */
function trimmed<T>(list: T[], keep: number): T[] {
  return list.length > 2 * keep ? list.slice(-keep) : list;
}

/** Creates the {@link LiveState}. */
export function createLiveState(o: LiveStateOptions): LiveState {
  const series = createSeriesTable(o.maxSeries);
  const sources = createSourceTable(o.maxSources);
  let rejections: LiveRejection[] = [];
  let conversation: LiveDeviceMessage[] = [];
  let newRejections: LiveRejection[] = [];
  let newConversation: LiveDeviceMessage[] = [];
  let untrackedPoints = 0;
  let lastStatsJson = '';

  const stats = (): LiveStats => ({
    ...o.counters(),
    series: series.size(),
    sources: sources.size(),
    untrackedPoints,
    ...o.clients(),
  });

  return {
    stored(batch, via) {
      const perSource = new Map<string, number>();
      for (const point of batch) {
        if (!series.add(point)) untrackedPoints += 1;
        perSource.set(point.source_id, (perSource.get(point.source_id) ?? 0) + 1);
      }
      untrackedPoints += sources.stored(perSource, via, batch[0]?.received_at_ms ?? o.now());
    },
    refused({ via, status, error, sourceId }) {
      const rejection: LiveRejection = { t: o.now(), via, status, error: bounded(error, MAX_ERROR) };
      if (sourceId !== undefined) {
        rejection.source = sourceId;
        sources.rejected(sourceId);
      }
      newRejections.push(rejection);
    },
    deviceConnected: (device) => sources.connected(device, o.now()),
    deviceClosed: (device) => sources.closed(device, o.now()),
    deviceRefused(sourceId, code, message) {
      if (sourceId !== undefined) sources.refused(sourceId, message, o.now());
      newRejections.push({ t: o.now(), via: 'ws', status: code, error: bounded(message, MAX_ERROR), ...(sourceId === undefined ? {} : { source: sourceId }) });
    },
    deviceFrame(sourceId, frame, dir) {
      const type = frame.type;
      if (typeof type !== 'string' || PLUMBING.has(type)) return;
      newConversation.push({ t: o.now(), source: sourceId, dir, frame: boundedFrame(frame) });
      sources.updateDevice(sourceId, (device) => {
        if (dir === 'in' && type === 'session_started' && typeof frame.session_id === 'string') device.session = bounded(frame.session_id, 256);
        if (dir === 'in' && type === 'session_stopped') delete device.session;
        if (dir === 'out' && type === 'start_stream') {
          const stream: { metrics?: string[]; interval_ms?: number } = {};
          if (Array.isArray(frame.metrics)) stream.metrics = frame.metrics.filter((m): m is string => typeof m === 'string').slice(0, 64);
          if (typeof frame.interval_ms === 'number') stream.interval_ms = frame.interval_ms;
          device.stream = stream;
        }
        if (dir === 'out' && type === 'stop_stream') delete device.stream;
      });
    },
    commit() {
      const now = o.now();
      const update: LiveUpdate = { t: now };
      const { decls, samples, rates } = series.commit(now);
      if (decls.length > 0) update.series = decls;
      if (samples.length > 0) update.samples = samples;
      if (rates.length > 0) update.rates = rates;
      const changedSources = sources.commit(now);
      if (changedSources.length > 0) update.sources = changedSources;
      if (newRejections.length > 0) {
        update.rejections = newRejections;
        rejections = trimmed([...rejections, ...newRejections], REJECTIONS_KEPT);
        newRejections = [];
      }
      if (newConversation.length > 0) {
        update.conversation = newConversation;
        conversation = trimmed([...conversation, ...newConversation], CONVERSATION_KEPT);
        newConversation = [];
      }
      const current = stats();
      const json = JSON.stringify(current);
      if (json !== lastStatsJson) {
        lastStatsJson = json;
        update.stats = current;
      }
      return Object.keys(update).length > 1 ? update : undefined;
    },
    snapshot() {
      return {
        t: o.now(),
        sources: sources.all(),
        series: series.rows(),
        events: series.events(),
        rejections: rejections.slice(-REJECTIONS_KEPT),
        conversation: conversation.slice(-CONVERSATION_KEPT),
        stats: stats(),
      };
    },
    history(ids, eventId) {
      const t = o.now();
      return { id: eventId, t, series: series.history(ids, t) };
    },
    reset() {
      series.reset();
      sources.reset();
      rejections = [];
      conversation = [];
      newRejections = [];
      newConversation = [];
      untrackedPoints = 0;
      lastStatsJson = '';
    },
  };
}
