import { usualInterval } from './_live-interval.js';
import { createRateWindow, rateArrival, rateAt, type RateWindow } from './_live-rate.js';
import type { LiveSource, LiveVia } from './live-types.js';
import type { DeviceInfo } from './types.js';

/** Longest reason text kept for a refused or closed link. */
const MAX_REASON = 300;

interface SourceEntry {
  view: LiveSource;
  /** Open WebSocket connections with this source id (several installs may share one without `install_id`). */
  connections: number;
  /** Points stored since the last commit. */
  pending: number;
  /** Gateway clock of the last commit that carried its points (undefined: none yet). */
  at: number | undefined;
  /** Its usual interval between such commits, ms (0 until it has had two), as a series' is. */
  every: number;
  rate: RateWindow;
}

/** Every source the gateway has seen, and which of them changed since the last commit. */
export interface SourceTable {
  /** Counts a stored batch's points for each source in it; false for points of sources over the limit. */
  stored(counts: ReadonlyMap<string, number>, via: LiveVia, atMs: number): number;
  rejected(sourceId: string): void;
  connected(device: DeviceInfo, atMs: number): void;
  closed(device: DeviceInfo, atMs: number): void;
  refused(sourceId: string, reason: string, atMs: number): void;
  /** Changes what the page shows of a device: its session and requested stream. */
  updateDevice(sourceId: string, change: (device: NonNullable<LiveSource['device']>) => void): void;
  /** Updates rates; returns copies of the sources that changed since the last commit. */
  commit(now: number): LiveSource[];
  all(): LiveSource[];
  size(): number;
  reset(): void;
}

function copy(view: LiveSource): LiveSource {
  const out: LiveSource = { ...view, via: [...view.via] };
  if (view.device !== undefined) {
    out.device = { ...view.device };
    if (view.device.stream !== undefined) out.device.stream = { ...view.device.stream };
  }
  return out;
}

/** Creates a {@link SourceTable} holding at most `maxSources` sources. */
export function createSourceTable(maxSources: number): SourceTable {
  let entries = new Map<string, SourceEntry>();
  let changed = new Set<SourceEntry>();

  const entry = (id: string): SourceEntry | undefined => {
    let e = entries.get(id);
    if (e === undefined) {
      if (entries.size >= maxSources) return undefined;
      e = { view: { id, via: [], points: 0, batches: 0, rejected: 0, rate: 0 }, connections: 0, pending: 0, at: undefined, every: 0, rate: createRateWindow() };
      entries.set(id, e);
    }
    changed.add(e);
    return e;
  };
  const setLink = (e: SourceEntry, link: LiveSource['link'], atMs: number, reason?: string): void => {
    e.view.link = link;
    e.view.linkSince = atMs;
    if (reason === undefined) delete e.view.reason;
    else e.view.reason = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
  };

  return {
    stored(counts, via, atMs) {
      let untracked = 0;
      for (const [id, n] of counts) {
        const e = entry(id);
        if (e === undefined) {
          untracked += n;
          continue;
        }
        const v = e.view;
        if (!v.via.includes(via)) v.via.push(via);
        v.points += n;
        v.batches += 1;
        v.lastSeenMs = atMs;
        e.pending += n;
      }
      return untracked;
    },
    rejected(sourceId) {
      const e = entry(sourceId);
      if (e !== undefined) e.view.rejected += 1;
    },
    connected(device, atMs) {
      const e = entry(device.sourceId);
      if (e === undefined) return;
      e.connections += 1;
      setLink(e, 'connected', atMs);
      e.view.device = { requestedSourceId: device.requestedSourceId, connectedAtMs: device.connectedAtMs };
      if (device.installId !== undefined) e.view.device.installId = device.installId;
      if (device.platform !== undefined) e.view.device.platform = device.platform;
      if (device.agentVersion !== undefined) e.view.device.agentVersion = device.agentVersion;
    },
    closed(device, atMs) {
      const e = entry(device.sourceId);
      if (e === undefined) return;
      e.connections = Math.max(0, e.connections - 1);
      if (e.connections === 0) setLink(e, 'disconnected', atMs, 'the connection closed');
    },
    refused(sourceId, reason, atMs) {
      const e = entry(sourceId);
      if (e !== undefined && e.connections === 0) setLink(e, 'refused', atMs, reason);
    },
    updateDevice(sourceId, change) {
      const e = entries.get(sourceId);
      if (e?.view.device === undefined) return;
      change(e.view.device);
      changed.add(e);
    },
    commit(now) {
      for (const e of entries.values()) {
        // Measured as a series' rate is: a source sending every 30 s is 0.0333/s, not 1/s then 0.
        if (e.pending > 0) {
          if (e.at !== undefined) {
            e.every = usualInterval(e.every, now - e.at);
            if (e.every > 0) e.view.every = e.every;
          }
          e.at = now;
          rateArrival(e.rate, e.pending, now);
          e.pending = 0;
        }
        if (!e.rate.active) continue;
        const rate = rateAt(e.rate, now, e.every);
        if (rate !== undefined && rate !== e.view.rate) {
          e.view.rate = rate;
          changed.add(e);
        }
      }
      const out = [...changed].map((e) => copy(e.view));
      changed = new Set();
      return out;
    },
    all: () => [...entries.values()].map((e) => copy(e.view)),
    size: () => entries.size,
    reset() {
      entries = new Map();
      changed = new Set();
    },
  };
}
