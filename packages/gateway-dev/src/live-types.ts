/**
 * The live page's Server-Sent Events stream (`GET /_dev/live`): what each event carries. Times
 * are the gateway's clock in epoch ms (see `GatewayOptions.clockOffsetMs`); event ids are
 * sequence numbers, one per event, each run of the gateway starting at its start time in ms so
 * ids from an earlier run are never taken for this run's.
 */

/** How points reached the gateway. */
export type LiveVia = 'http' | 'ws' | 'influx';

/** `m`: a numeric series (class `metric`), charted; `e`: an event series (class `event`), listed. */
export type LiveSeriesKind = 'm' | 'e';

/** State of a source's WebSocket link, for sources that ever connected (or tried to) over WebSocket. */
export type LiveLinkState = 'connected' | 'disconnected' | 'refused';

/** One source (a `source_id`) as the gateway sees it. */
export interface LiveSource {
  id: string;
  /** The ways it sent points, in the order first seen. */
  via: LiveVia[];
  /** WebSocket link state; absent for sources that only used HTTP. */
  link?: LiveLinkState;
  /** Gateway clock when the link state last changed. */
  linkSince?: number;
  /** Why the link was refused or closed, as the gateway told the device. */
  reason?: string;
  /** What the connected (or last connected) device said about itself, and what it was told. */
  device?: LiveDevice;
  /** Points stored from it. */
  points: number;
  /** Batches (HTTP requests, WebSocket frames) that carried its points. */
  batches: number;
  /** Requests or frames refused that named it (400s, `invalid_telemetry`...). */
  rejected: number;
  /**
   * Points per second, measured as a series' rate is: over the last completed 5 s window, or two
   * of its usual intervals when it sends less often (1 s for the first after a pause).
   */
  rate: number;
  /** Gateway clock of its last stored batch. */
  lastSeenMs?: number;
  /**
   * Its usual interval between batches in ms, by the series' rule (the longest recent gap, an
   * old long one let go by a tenth at each arrival); absent until it sent twice. The page calls
   * an HTTP sender quiet after three of them, and at least 10 s.
   */
  every?: number;
}

/** A WebSocket device behind a source. */
export interface LiveDevice {
  requestedSourceId: string;
  installId?: string;
  platform?: string;
  agentVersion?: string;
  connectedAtMs: number;
  /** The session the device confirmed with `session_started`, until `session_stopped`. */
  session?: string;
  /** The last `start_stream` sent to it (until `stop_stream`): what it was asked to forward. */
  stream?: { metrics?: string[]; interval_ms?: number };
}

/**
 * A series declared once: `[id, source, metric, tags or 0, unit or 0, kind]`. A series is one
 * source, metric, kind and tag set; `unit` is its `unit` tag.
 */
export type LiveSeriesDecl = [id: number, source: string, metric: string, tags: Record<string, string> | 0, unit: string | 0, kind: LiveSeriesKind];

/**
 * A series in a snapshot: its declaration, then how many points it has had, its rate (points/s),
 * the time of its newest point (the point's timestamp, or its receipt time), that point's value (a
 * number, or for events a text of at most 200 characters), and when that point was taken into
 * the stream (the gateway clock at the event that carried it: its age is measured from there),
 * and its usual interval between such events in ms (0 until known): the page calls a series
 * stale when its age is over three times that, and at least 10 s. Updates do not carry the
 * interval: a page keeps it from their `t` by the same rule.
 */
export type LiveSeriesRow = [...decl: LiveSeriesDecl, count: number, rate: number, t: number, value: number | string, at: number, every: number];

/**
 * New points of one series since the last event: `[id, n, dt1, v1, dt2, v2, ...]`. `n` is how
 * many points arrived; at most 16 samples follow in time order, evenly thinned when more came,
 * always ending with the newest point (by time: points may arrive out of order, a backlog or a
 * resend beside live data). `dt` is the sample's time minus the event's `t`, in whole ms.
 */
export type LiveSamples = Array<number | string>;

/** An event point: `[seriesId, t, text]`. */
export type LiveEvent = [seriesId: number, t: number, text: string];

/** A refused request or frame. */
export interface LiveRejection {
  t: number;
  via: LiveVia;
  /** HTTP status, `"dropped"`, or the WebSocket error code (`invalid_telemetry`, `unauthorized`...). */
  status: number | string;
  /** The gateway's answer, at most 300 characters. */
  error: string;
  /** The source it named, when the gateway read that far. */
  source?: string;
}

/** A frame between the gateway and a device, other than telemetry, acks, heartbeats and time sync. */
export interface LiveDeviceMessage {
  t: number;
  source: string;
  /** `out`: sent to the device (dashboard control); `in`: the device's answer. */
  dir: 'in' | 'out';
  /** The frame; one over 2000 characters of JSON becomes `{type, truncated: true, text}`. */
  frame: Record<string, unknown>;
}

/** The gateway's counters plus the live stream's own. */
export interface LiveStats {
  requests: number;
  byStatus: Record<string, number>;
  points: number;
  batches: number;
  duplicateBatches: number;
  bytesIn: number;
  series: number;
  sources: number;
  /** Points not tracked on the page because the series or source limit was reached. */
  untrackedPoints: number;
  /** Connected stream clients. */
  clients: number;
  /** Clients dropped for falling behind by more than the client buffer. */
  droppedClients: number;
}

/** `event: snapshot`: the whole state as of its event id. */
export interface LiveSnapshot {
  t: number;
  sources: LiveSource[];
  series: LiveSeriesRow[];
  /** The latest event points, oldest first (at most 200). */
  events: LiveEvent[];
  /** The latest refusals, oldest first (at most 50). */
  rejections: LiveRejection[];
  /** The latest device messages, oldest first (at most 100). */
  conversation: LiveDeviceMessage[];
  stats: LiveStats;
}

/** `event: update`: what changed since the previous event id; absent fields did not change. */
export interface LiveUpdate {
  t: number;
  series?: LiveSeriesDecl[];
  samples?: LiveSamples[];
  /** Rate changes: `[id, rate, id, rate, ...]`. */
  rates?: number[];
  /** Sources that changed, whole. */
  sources?: LiveSource[];
  rejections?: LiveRejection[];
  conversation?: LiveDeviceMessage[];
  stats?: LiveStats;
}

/** `GET /_dev/live/history?ids=1,2`: recent samples per numeric series, as of event `id`. */
export interface LiveHistory {
  id: number;
  t: number;
  /** Per series id: `[dt1, v1, dt2, v2, ...]` relative to `t`, oldest first, at most 120 samples. */
  series: Record<string, number[]>;
}
