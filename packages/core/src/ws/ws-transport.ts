import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import { REQUEST_LIMITS } from '../point/point.js';
import { createProblemReporter, type ProblemReporter } from '../shared/problems.js';
import type { Batch } from '../shared/batch.js';
import { DEFAULT_RETRY, type RetryOptions } from '../transport/retry-policy.js';
import type { TlsOptions } from '../transport/tls.js';
import { parseProxyUrl } from '../transport/proxy-env.js';
import type { ClockProbe, ConnectionObserver, SendOptions, SendResult, Transport } from '../transport/transport.js';
import { createWsSession } from './_session.js';
import type { WsDeliveryMode } from './_metrics.js';
import type { DeviceControl } from '../control/device-control.js';

export type { WsDeliveryMode } from './_metrics.js';

/** Options of {@link createWsTransport}. Units are in the names; defaults in the TSDoc. */
export interface WsTransportOptions {
  /** The device endpoint, `ws://` or `wss://`, e.g. `wss://gateway.example.com/ws/device`. */
  url: string;
  /** Sent as `api_key` in `device_auth`. */
  apiKey?: string;
  /**
   * Signs every telemetry frame: a `signature` field first, `t=<unix s>,v1=<hex HMAC-SHA256 of
   * "<t>." and the frame without it>`, made afresh for every attempt. Default: unsigned.
   */
  signingSecret?: string;
  /** TLS for `wss://`: a private CA, a client certificate, the server name. Default: the system CAs, verified. */
  tls?: TlsOptions;
  /**
   * An HTTP proxy to connect through, `http://[user:password@]host:port` (or `https://`): each
   * connection is a CONNECT tunnel, TLS to the server inside it (with `tls`); the credentials go as
   * `Proxy-Authorization: Basic` and are never logged. A refused tunnel (407, 403, 502) is a failed
   * connection naming the proxy and its status, retried with backoff. `createSink` sets it from
   * the environment. Default: direct.
   */
  proxy?: string;
  /** The source id to ask for; the server may assign another, which is adopted and persisted. */
  sourceId: string;
  /** Receives the handshake and `time_sync` samples; timestamps come from here. */
  clock: Clock;
  /** Directory of `device.json` (install_id and the adopted source_id). Unset: memory only, logged. */
  stateDir?: string;
  /**
   * Reads `device.json` in `stateDir` without writing it: a second process speaking for the same
   * install (`fieldbridge resend` beside a running bridge) goes by its install_id and assigned
   * source_id, and leaves the file to it. Default false.
   */
  stateReadOnly?: boolean;
  /** Sent as `platform`. Default `<os>-<arch>` (e.g. `linux-x64`). */
  platform?: string;
  /** Sent as `agent_version`. Default `fieldbridge`. */
  agentVersion?: string;
  /** Heartbeat frames and the liveness ping, in ms; no pong within twice this: reconnect. Default 30 000. */
  heartbeatMs?: number;
  /** Re-sync the clock with `time_sync` this often, where the server answers it, in ms; 0: at connect only. Default 300 000. */
  timeSyncIntervalMs?: number;
  /**
   * How long a frame waits for its `ack`, or from a server without acks for the pong that confirms
   * it, before it is sent again, in ms; a missing pong also drops the connection as dead (half-open).
   * Default: the send timeout.
   */
  ackTimeoutMs?: number;
  /** Largest telemetry frame in bytes; a larger batch goes as several frames. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Longest wait for the upgrade and for the answer to `device_auth`, in ms. Default 10 000. */
  authTimeoutMs?: number;
  /** Reconnect backoff (`initialDelayMs`, `maxDelayMs`, `jitter`; `authProbeIntervalMs` after a refusal). */
  retry?: Partial<RetryOptions>;
  /** Acts on dashboard control messages; `createSink` passes its own. */
  control?: DeviceControl;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Episode logging; default one on `logger`. */
  problems?: ProblemReporter;
  /** Registry for the `fieldbridge_ws_*` metrics. Default: a registry of its own. */
  registry?: Registry;
  random?: () => number;
  /** Told of each connection, loss, scheduled reconnect and refusal (the sink's lifecycle events). */
  connection?: ConnectionObserver;
}

/** The WebSocket transport: a {@link Transport} plus what the device side knows. */
export interface WsTransport extends Transport {
  /** The source id in use: the configured one, or the one the server assigned. */
  sourceId(): string;
  /** The stable install id sent in `device_auth`. */
  readonly installId: string;
  /** True while authenticated. */
  connected(): boolean;
  /** The delivery guarantee of the current (or last) connection; undefined before the first. */
  deliveryMode(): WsDeliveryMode | undefined;
}

/**
 * The Plexus WebSocket device protocol (DESIGN section 3) as a {@link Transport}. Connects at
 * once, authenticates with `device_auth` (a stable `install_id`, the platform and version),
 * adopts the `source_id` the server returns, sends heartbeats, reconnects with backoff and
 * jitter, and acts on dashboard control messages through `control`.
 *
 * `send(batch)` writes the batch as telemetry frames (`trace_id` = batch id; a batch over
 * `maxFrameBytes` goes as parts `<id>.p1`, `<id>.p2`, ..., all of which must succeed) and resolves
 * `success` only once they are confirmed, so a batch leaves the spool only then: where the server
 * acknowledges frames (the `ack` extension), on the ack (stored); otherwise on the pong that follows
 * the frames (read: every WebSocket server answers pings, and TCP keeps order). Both are
 * at-least-once: a batch unconfirmed at a disconnect is sent again with the same trace ids, so the
 * server may receive it twice (counted in `fieldbridge_ws_frames_unconfirmed_total`). Without acks,
 * no pong within `ackTimeoutMs` drops the connection as dead, and what a server refuses after its
 * pong (too late to isolate the point) is counted in `fieldbridge_ws_frames_possibly_lost_total`.
 * An `error` frame naming a frame still held gives `rejected` (with the point's index when it says
 * `points[i]`), so the refused point is dead-lettered and the rest sent. Disconnected or timed out:
 * `retryable`; auth refused: `unauthorized`; a single point over the frame limit: `too_large`.
 * Never rejects.
 */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  const logger = options.logger ?? pino({ level: 'silent' });
  const session = createWsSession({
    url: options.url,
    apiKey: options.apiKey,
    signingSecret: options.signingSecret,
    tls: options.tls,
    proxy: options.proxy === undefined ? undefined : parseProxyUrl(options.proxy),
    sourceId: options.sourceId,
    clock: options.clock,
    stateDir: options.stateDir,
    stateReadOnly: options.stateReadOnly ?? false,
    platform: options.platform ?? `${process.platform}-${process.arch}`,
    agentVersion: options.agentVersion ?? 'fieldbridge',
    heartbeatMs: options.heartbeatMs ?? 30_000,
    timeSyncIntervalMs: options.timeSyncIntervalMs ?? 300_000,
    maxFrameBytes: options.maxFrameBytes ?? REQUEST_LIMITS.maxWsMessageBytes,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
    retry: { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) },
    control: options.control,
    logger,
    problems: options.problems ?? createProblemReporter(logger),
    registry: options.registry ?? new Registry(),
    random: options.random,
    connection: options.connection,
  });
  return {
    name: 'ws',
    reportsConnection: true,
    send: (batch: Batch, sendOptions: SendOptions): Promise<SendResult> =>
      session.send(batch, { ...sendOptions, ackTimeoutMs: options.ackTimeoutMs ?? sendOptions.timeoutMs }),
    async syncClock(sendOptions: SendOptions): Promise<ClockProbe> {
      // The handshake's `server_time_ms` is the sample: wait for an authenticated connection.
      await session.link.whenUsable(sendOptions.timeoutMs, sendOptions.signal);
      return options.clock.synced();
    },
    shutdown: () => session.close(),
    sourceId: () => session.identity.sourceId(),
    installId: session.identity.installId,
    connected: () => session.link.state() === 'ready',
    deliveryMode: () => session.mode(),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
