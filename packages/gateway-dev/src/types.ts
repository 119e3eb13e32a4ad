/** Point classes the gateway knows: numeric series or anything else. */
export type PointClass = 'metric' | 'event';

/**
 * A point as stored by the gateway: the JSON object the client sent (unknown fields kept),
 * with `source_id` resolved from the body when the point had none, `timestamp` in ms
 * (values below 1e12 arrive as seconds and are multiplied by 1000, as the real gateway does;
 * a point sent without a timestamp is stored without one), and the receipt details.
 */
export interface StoredPoint {
  metric: string;
  value: unknown;
  /** Milliseconds since the Unix epoch; absent when the client sent none. */
  timestamp?: number;
  /** The point's own source id, or the body's when the point had none. */
  source_id: string;
  tags?: Record<string, string>;
  session_id?: string;
  /** As sent; when omitted the gateway treated numbers as `metric` and the rest as `event`. */
  class?: PointClass;
  /** The gateway's clock (see {@link GatewayOptions.clockOffsetMs}) when the request was stored. */
  received_at_ms: number;
  /** The request's `x-batch-id` header (a WebSocket frame's `trace_id`); absent when it had none. */
  batch_id?: string;
  /** `true` when this batch id had already been stored once (the points are stored again). */
  duplicate?: true;
  [field: string]: unknown;
}

/** Selects stored points; every given field must match exactly. */
export interface PointFilter {
  metric?: string;
  sourceId?: string;
}

/**
 * Counters since start or the last `reset()`. Only ingest requests count, not `/_dev` ones;
 * WebSocket telemetry frames count in `points`, `batches` and `duplicateBatches` (each frame is
 * a batch), not in the HTTP-only `requests`, `byStatus` and `bytesIn`.
 */
export interface GatewayStats {
  /** Ingest requests received (`POST /ingest` and, when enabled, `POST /api/v2/write`). */
  requests: number;
  /** Ingest answers by status code (`"200"`, `"503"`, ...); dropped connections count as `"dropped"`. */
  byStatus: Record<string, number>;
  /** Points stored. */
  points: number;
  /** Requests stored (a batch is one stored request). */
  batches: number;
  /** Stored requests whose `x-batch-id` had been stored before. */
  duplicateBatches: number;
  /** Request body bytes read from the wire (compressed size when gzipped). */
  bytesIn: number;
  /** Points stored per source id (the first 10,000 sources; later ones count under `_other`). */
  bySource: Record<string, number>;
  /** Points kept in memory for `points()` now (the oldest are let go past `maxRetainedPoints`). */
  retained: number;
  /**
   * Requests and telemetry frames refused for their signature (with `signingSecret`), by reason:
   * none sent, not of the form `t=…,v1=…`, not matching the body (another secret, a changed body),
   * or outside the replay window.
   */
  signatureRefusals: { missing: number; malformed: number; mismatch: number; stale: number };
}

/**
 * Faults injected into ingest requests (`POST /ingest`, `POST /api/v2/write`), checked before
 * authentication, the way a degraded load balancer answers before the service sees the key.
 * With `count`, exactly the next `count` ingest requests are affected (`ratio` is ignored), so
 * tests never depend on chance; without it each request is affected with probability `ratio`.
 * An affected request is delayed by `delayMs`, then dropped (`drop`), answered with `status`,
 * or, with neither, handled normally.
 */
export interface FaultPlan {
  /** Status to answer with, 400..599, e.g. 503, 500, 429, 413, 401. */
  status?: number;
  /** Share of ingest requests affected, 0..1. Default 1. Ignored when `count` is set. */
  ratio?: number;
  /** Affect exactly the next N ingest requests, then stop. Default: no limit. */
  count?: number;
  /** Sent verbatim as the `Retry-After` header with `status`: `"2"` or an HTTP date. */
  retryAfter?: string;
  /** Wait this many ms before answering (or dropping, or handling normally). Default 0. */
  delayMs?: number;
  /** Destroy the connection without answering. Default false. */
  drop?: boolean;
}

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** TCP port. Default 0: the OS picks a free one (read it from `Gateway.port`). */
  port?: number;
  /** Keys with write scope, sent as `x-api-key` (or `Authorization: Token` for Influx). At least one. */
  apiKeys: string[];
  /** Keys that authenticate but lack write scope: their ingest requests get 403. Default none. */
  readOnlyKeys?: string[];
  /** Append every stored point as one NDJSON line to this file (created if missing). Default none. */
  out?: string;
  /** Print each stored point as one readable line here. Default: print nothing. */
  print?: NodeJS.WritableStream;
  /**
   * Say each refused request or frame as one line here (`12:00:01.123 refused HTTP 401: missing
   * API key ...`); the same refusal of one source again within a minute is counted, not said.
   * The command passes stderr. Default: nowhere (the live page and `stats()` still count them).
   */
  refusals?: NodeJS.WritableStream;
  /** Largest event value, in bytes of its JSON encoding. Default 65536. */
  maxEventBytes?: number;
  /** Most points in one `POST /ingest` request (more -> 413). Default 10000. */
  maxPoints?: number;
  /** Largest request body, compressed and decompressed, in bytes (more -> 413). Default 5 MiB. */
  maxBodyBytes?: number;
  /** Added to `now()` to make the server clock (`server_time_ms`, `received_at_ms`). Default 0. */
  clockOffsetMs?: number;
  /** Wall clock in epoch ms, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Random numbers in [0, 1) for ratio faults, injectable for tests. Default `Math.random`. */
  random?: () => number;
  /** Also serve `POST /api/v2/write` (InfluxDB v2 line protocol). Default false. */
  influxWrite?: boolean;
  /** Serve the `/_dev/*` endpoints (no key needed: keep the gateway on loopback). Default true. */
  devEndpoints?: boolean;
  /** Keep stored points in memory for `points()`; false only counts them (long benchmarks). Default true. */
  retainPoints?: boolean;
  /**
   * Most points kept in memory for `points()`; past it the oldest are let go (a demo left running
   * for a day stays within memory). Default 1,000,000 (a few hundred MB at most).
   */
  maxRetainedPoints?: number;
  /**
   * Most batch ids remembered to tell a batch sent again (`duplicate`, `stats().duplicateBatches`);
   * past it the oldest are forgotten, so memory stays bounded however long the gateway runs, with
   * `retainPoints: false` too. Default 1,000,000 (about 140 MB at most).
   */
  maxBatchIds?: number;
  /**
   * WebSocket: answer each stored telemetry frame with `{"type":"ack","trace_id"}` (a
   * fieldbridge extension, announced in `authenticated.extensions`). False acts like the real
   * gateway, which does not acknowledge frames. Default true.
   */
  wsAck?: boolean;
  /**
   * WebSocket: answer `{"type":"time_sync","t0"}` with `t0, t1, t2` (a fieldbridge extension,
   * announced in `authenticated.extensions`). False acts like the real gateway. Default true.
   */
  wsTimeSync?: boolean;
  /**
   * WebSocket: simulated one-way latency in ms, per direction, e.g. `{ toServer: 40, toDevice: 10 }`
   * for an asymmetric path. Frames (and protocol pings) from a device are handled `toServer` ms
   * after they arrive; everything sent to it leaves `toDevice` ms later; order is kept. Frames
   * still delayed when a connection drops are lost, as if in flight. Default 0 both ways.
   */
  wsDelayMs?: { toServer?: number; toDevice?: number };
  /** WebSocket: largest message from a device, in bytes (larger: the connection is closed with 1009). Default 1 MiB. */
  wsMaxFrameBytes?: number;
  /**
   * Check signed batches: every `POST /ingest` must carry `x-fieldbridge-signature: t=<unix
   * s>,v1=<hex>`, the HMAC-SHA256 with this secret over `<t>.` and the body as sent, and every
   * WebSocket telemetry frame a `signature` field first (over the frame without it); otherwise
   * 401 (an `error` frame with code `unauthorized` over WebSocket), counted in
   * `stats().signatureRefusals`. Announced as the `signature` extension. Never printed. Default: not checked.
   */
  signingSecret?: string;
  /** How far a signature's `t` may be from the server clock, either way, in seconds (the replay window). Default 300. */
  signatureToleranceS?: number;
  /**
   * The live page at `/` and its event stream `GET /_dev/live` (see {@link LiveOptions}), or
   * `false` for neither. They are dev endpoints: off, and refused here, with `devEndpoints: false`.
   * Default: on with the defaults of {@link LiveOptions}.
   */
  live?: LiveOptions | false;
}

/**
 * The live page's event stream. Memory is bounded by these: the replay ring (`replayBytes`),
 * each client's unsent data (`clientBufferBytes` times `maxClients`), and per series 120 chart
 * samples and one pending interval's 16.
 */
export interface LiveOptions {
  /** Least time between two stream events, in ms: updates are coalesced into one event per interval. Default 250. */
  intervalMs?: number;
  /**
   * Unsent bytes the gateway holds for one stream client: a client still over it when the next
   * event comes is dropped (its browser reconnects and resumes), so at most this plus one event
   * is held. Never less than twice the client's first write (its snapshot). Default 8 MiB.
   */
  clientBufferBytes?: number;
  /** Stream clients at once; more are answered 503. Default 32. */
  maxClients?: number;
  /** Events kept so a reconnecting client can resume (`Last-Event-ID`). Default 240 (a minute at 250 ms). */
  replayEvents?: number;
  /** Bytes of events kept for resuming. Default 16 MiB. */
  replayBytes?: number;
  /** Series (source, metric, tags) tracked; points of further series are only counted. Default 50 000. */
  maxSeries?: number;
  /** Sources tracked; points of further sources are only counted. Default 1000. */
  maxSources?: number;
}

/** A control message for a device: `ping`, `start_stream`, `start_session`, `configure`, ... */
export interface ControlMessage {
  type: string;
  [field: string]: unknown;
}

/** What one device made of a control message. */
export interface ControlResult {
  /** The device's source id. */
  sourceId: string;
  /**
   * Its answer: `pong` to `ping`, `session_started`, `session_stopped`, `configure_result`, or
   * an `error` frame naming the request in `in_reply_to`. For messages without an answer
   * (`start_stream`, `stop_stream`, `error`) the `pong` of a ping sent right after, which
   * proves the device has processed the message.
   */
  reply?: Record<string, unknown>;
  /** Set when no answer came within the timeout, or the device disconnected first. */
  error?: string;
}

/** A device connected over WebSocket and authenticated. */
export interface DeviceInfo {
  /** The source id the gateway assigned (the requested one, or it with a `-2`, `-3`... suffix). */
  sourceId: string;
  /** The source id the device asked for in `device_auth`. */
  requestedSourceId: string;
  installId?: string;
  platform?: string;
  agentVersion?: string;
  /** Server clock when it authenticated, epoch ms. */
  connectedAtMs: number;
  /** Server clock at its last heartbeat, epoch ms. */
  lastHeartbeatAtMs?: number;
  /** `uptime_s` of its last heartbeat. */
  uptimeS?: number;
  /** Telemetry frames stored. */
  telemetryFrames: number;
  /** Points stored from it. */
  points: number;
  heartbeats: number;
  /** `time_sync` requests answered. */
  timeSyncs: number;
  /** Frames other than telemetry it sent (answers, heartbeats, time_sync), oldest first, at most the last 100. */
  messages: Array<{ receivedAtMs: number; frame: Record<string, unknown> }>;
}

/** A running gateway. */
export interface Gateway {
  /** The full ingest URL, e.g. `http://127.0.0.1:41234/ingest`. */
  readonly url: string;
  /** The WebSocket device endpoint, e.g. `ws://127.0.0.1:41234/ws/device`. */
  readonly wsUrl: string;
  /** Scheme, host and port, e.g. `http://127.0.0.1:41234` (listening on `0.0.0.0` or `::`, this machine's loopback). */
  readonly origin: string;
  /** The port listened on (the OS-chosen one when `port` was 0). */
  readonly port: number;
  /** Stops listening and destroys open connections. Idempotent. Stored points stay readable. */
  close(): Promise<void>;
  /** Stored points in arrival order, optionally filtered. A new array on every call. */
  points(filter?: PointFilter): StoredPoint[];
  /** A snapshot of the counters. */
  stats(): GatewayStats;
  /** Forgets stored points, remembered batch ids, counters, faults and source id assignments. The out file is kept. */
  reset(): void;
  /** Replaces the fault plan; `undefined` clears it. Throws `GatewayError` (`FAULTS_INVALID`). */
  setFaults(faults: FaultPlan | undefined): void;
  /** The server clock in epoch ms: `now() + clockOffsetMs`. */
  clockNow(): number;
  /** Changes the server clock's offset (ms, may be negative) from now on. */
  setClockOffsetMs(offsetMs: number): void;
  /** Devices connected over WebSocket and authenticated, in connection order. */
  devices(): DeviceInfo[];
  /**
   * Sends a control message to the device with this source id (every device when undefined)
   * and resolves with what each made of it once it answered (see {@link ControlResult}), at
   * most `timeoutMs` (default 5000) later. Rejects with `GatewayError`: `CONTROL_INVALID`
   * for a message without a string `type`, `NO_DEVICE` when no such device is connected.
   */
  sendControl(sourceId: string | undefined, message: ControlMessage, options?: { timeoutMs?: number }): Promise<ControlResult[]>;
  /**
   * Drops WebSocket connections at once, without a close handshake (a network failure):
   * frames still delayed by `wsDelayMs` are lost. All devices when `sourceId` is undefined.
   * Returns how many were dropped.
   */
  disconnectDevices(sourceId?: string): number;
}
