import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import type { ClockSeed } from '../clock/create-clock.js';
import { FieldbridgeError } from '../errors.js';
import { MAX_TIMER_MS } from '../config/units.js';
import { sinkUrlProblem } from '../shared/sink-url.js';
import { REQUEST_LIMITS, type Tags } from '../point/point.js';
import { checkSourceId, checkTags } from '../point/validate-point.js';
import type { Spool, WhenFull } from '../spool/spool.js';
import { DEFAULT_RETRY, type RetryOptions } from '../transport/retry-policy.js';
import type { TlsOptions } from '../transport/tls.js';
import type { Transport } from '../transport/transport.js';

/** Options of `createSink`; the YAML `sink` section in camelCase. */
export interface SinkOptions {
  /**
   * `http(s)://…/ingest`, `ws(s)://…/ws/device` (the WebSocket device protocol), or `stdout`
   * (NDJSON on standard output). Default `stdout`.
   */
  url?: string;
  /** Sent as `x-api-key` (HTTP) or `api_key` in `device_auth` (WebSocket). Never written to the spool or the dead-letter file, never logged. */
  apiKey?: string;
  /** TLS for `https://` and `wss://`: a private CA, a client certificate, the server name. Default: the system CAs, verified. */
  tls?: TlsOptions;
  /**
   * Sign every batch with HMAC-SHA256 keyed with `secret`: over HTTP the header
   * `x-fieldbridge-signature: t=<unix s>,v1=<hex>` over `<t>.` and the body as sent (after gzip),
   * made afresh for every attempt; over WebSocket a `signature` field first in every telemetry
   * frame, over `<t>.` and the frame without it. Ignored by the stdout sink. The secret is never
   * logged, printed, stored or counted. Default: unsigned.
   */
  signing?: { secret: string };
  /** Source id of every point that carries none; `^[a-z0-9][a-z0-9._-]*$`. Required. */
  sourceId: string;
  /** Tags added to every point (a point's own tags win). */
  tags?: Tags;
  batch?: {
    /** Seal a batch at this many points. Default 1000, at most 10 000. */
    maxPoints?: number;
    /** Seal before a batch's JSON passes this many bytes. Default 1 MiB, at most 5 MiB. */
    maxBytes?: number;
    /** Seal this many ms after a batch's first point. Default 1000. */
    lingerMs?: number;
  };
  buffer?: {
    /** Directory of the durable spool (and dead-letter file). Unset: memory, lost on exit. */
    path?: string;
    /** Most bytes the spool holds. Default 256 MiB. */
    maxBytes?: number;
    /** What a full spool does. Default `drop_oldest`. */
    whenFull?: WhenFull;
    /** Batches older than this are dropped, counted as `expired`. Default: kept. */
    maxAgeMs?: number;
    /** `process`: survives a crash; `power`: also a power loss, slower. Default `process`. */
    durability?: 'process' | 'power';
  };
  /** Backoff and give-up rules; see {@link RetryOptions}. */
  retry?: Partial<RetryOptions>;
  /** Compress batches with gzip (they are stored and sent that way). Default true. */
  gzip?: boolean;
  /**
   * gzip level, 1 (fastest) to 9 (smallest). Default 1: measured on plant-like points it
   * compresses to about 10 bytes a point at a quarter of a microsecond, while level 6 saves 15 %
   * more for twice the time (bench/results/sink-throughput.md). At 10 bytes a point the default
   * 256 MiB spool holds more than an hour at 5,000 points/s.
   */
  gzipLevel?: number;
  /** Timeout of one send attempt, in ms. Default 10 000. */
  timeoutMs?: number;
  /**
   * Batches in flight at once. Default 2 (1 for stdout; 8 over WebSocket, where every batch waits
   * a round trip for its ack or pong, so a high-latency link needs more in flight to keep up).
   */
  concurrency?: number;
  /** The WebSocket device protocol (`ws(s)://` URLs only). */
  websocket?: WebSocketSinkOptions;
  /** Session id stamped on points that carry none, from the start (`--session`). Default none. */
  session?: string;
  /** Sent as `agent_version` over WebSocket; `startBridge` passes `bridge-<name>/<version>`. Default `fieldbridge`. */
  agentVersion?: string;
  /** Ceiling on points sent per second, so a backlog drains within rate limits. Default none. */
  maxPointsPerSecond?: number;
  /** How long `close()` keeps sending, in ms. Default {@link DEFAULT_SHUTDOWN_TIMEOUT_MS}. */
  shutdownTimeoutMs?: number;
  /**
   * How long the first batches of a run wait for the receiver's time, in ms. Timestamps the
   * sink stamps before the clock's first server sample are provisional and resolved to server
   * time when sent; past this wait without any sample they go with the local clock (counted in
   * `fieldbridge_points_unsynced_total`). Default 10 000.
   */
  firstSampleWaitMs?: number;
  /** Dead-letter NDJSON file. Default `<buffer.path>/dead-letter.ndjson`, else `./fieldbridge-dead-letter.ndjson`. */
  deadLetterPath?: string;
  /** Disk the dead-letter file and its one rotation may take, in bytes. Default 64 MiB. */
  deadLetterMaxBytes?: number;
  /** Logger (pino). Default: info level to stderr. */
  logger?: Logger;
  /** Registry for the sink's metrics. Default: a registry of its own. */
  registry?: Registry;
  /** Time source. Default: monotonic clock corrected by server samples. */
  clock?: Clock;
  /**
   * The default clock starts from this estimate (`clockSeedOf(oldSink.clock)`): a sink replacing
   * another in the same process goes on on the same time. Ignored with `clock`.
   */
  clockSeed?: ClockSeed;
  /**
   * The run this sink's provisional timestamps belong to (`Sink.run`). Default: a new one. A
   * sink that replaces another in the same process takes the old one's: the stamps that one
   * left in a spool it hands over are in this process's local time too, and this sink moves
   * them onto server time with its own clock instead of sending them as an earlier run's.
   */
  run?: string;
  /** Stream of the stdout sink. Default `process.stdout`. */
  stdout?: NodeJS.WritableStream;
  /**
   * The environment the proxy variables are read from (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
   * `NO_PROXY` and their lower-case forms; docs/sink.md#proxies). Ignored with `transport`.
   * Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /** A transport to use instead of the one the URL selects. */
  transport?: Transport;
  /** A spool to use instead of the one `buffer` describes. */
  spool?: Spool;
}

/**
 * Default batches in flight over WebSocket: each waits a round trip for its confirmation, so at a
 * 100 ms round trip 2 would cap delivery near 14,000 points/s; 8 more than doubles that.
 */
const WS_CONCURRENCY = 8;

/** Options of the WebSocket device protocol; the YAML `sink.websocket` section in camelCase. */
export interface WebSocketSinkOptions {
  /** Heartbeat frames (and the liveness ping: no pong within twice this, reconnect), in ms. Default 30 000. */
  heartbeatMs?: number;
  /** Re-sync the clock with `time_sync` this often where the server answers it, in ms; 0: only at connect. Default 300 000. */
  timeSyncIntervalMs?: number;
  /**
   * How long a frame waits for its `ack`, or from a server without acks for the pong that confirms
   * it, before it is sent again, in ms; a missing pong also drops the connection as dead. Default: `timeoutMs`.
   */
  ackTimeoutMs?: number;
  /** Largest telemetry frame in bytes; a larger batch goes as several frames. Default 1 MiB. */
  maxFrameBytes?: number;
  /**
   * Directory for `device.json` (the install id and the source id the server assigned).
   * Default `buffer.path`; with neither, they live in memory and a restart looks like a new install.
   */
  statePath?: string;
  /**
   * `device.json` is read, never written: a second sink speaking for the install of a running
   * bridge (`fieldbridge resend`) goes by its identity and leaves the file to it. Default false.
   */
  stateReadOnly?: boolean;
  /** Sent as `platform` in `device_auth`. Default `<os>-<arch>`, e.g. `linux-x64`. */
  platform?: string;
}

/**
 * How long a stop keeps delivering by default, in ms: 8 s, so that the drain, the bridge's own
 * stop and the spool's close fit in the 10 s a container runtime waits after SIGTERM before it
 * kills (`docker stop`, Compose's `stop_grace_period`); what is not delivered stays in a disk spool.
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8_000;

/** {@link SinkOptions} with defaults applied and limits checked. */
export interface ResolvedSinkOptions extends SinkOptions {
  url: string;
  batch: { maxPoints: number; maxBytes: number; lingerMs: number };
  retry: RetryOptions;
  timeoutMs: number;
  concurrency: number;
  shutdownTimeoutMs: number;
  firstSampleWaitMs: number;
  gzipLevel: number;
}

/** Applies defaults and validates once; throws `OPTIONS_INVALID` naming the option. */
export function resolveSinkOptions(options: SinkOptions): ResolvedSinkOptions {
  const fail = (message: string): never => {
    throw new FieldbridgeError('OPTIONS_INVALID', `sink: ${message}`);
  };
  const sourceIdProblem = checkSourceId(options.sourceId);
  if (sourceIdProblem) fail(`sourceId ${JSON.stringify(options.sourceId)}: ${sourceIdProblem}`);
  if (options.tags) {
    const tagProblem = checkTags(options.tags);
    if (tagProblem) fail(`tags: ${tagProblem}`);
  }
  if (options.apiKey !== undefined && /[\u0000-\u001f\u007f]/.test(options.apiKey)) {
    fail('apiKey contains a control character (a newline read from a file?); it could never be sent in a header');
  }
  if (options.signing !== undefined && !(typeof options.signing?.secret === 'string' && options.signing.secret.length >= 16)) {
    fail('signing.secret must be a string of at least 16 characters (a short secret can be guessed)');
  }
  const url = options.url ?? 'stdout';
  if (url !== 'stdout' && !/^(https?|wss?):\/\//.test(url)) fail(`url ${JSON.stringify(url)} must start with http://, https://, ws:// or wss://, or be "stdout"`);
  const urlProblem = sinkUrlProblem(url);
  if (urlProblem !== undefined) fail(`url: ${urlProblem}`);
  const batch = {
    maxPoints: options.batch?.maxPoints ?? 1000,
    maxBytes: options.batch?.maxBytes ?? 1024 * 1024,
    lingerMs: options.batch?.lingerMs ?? 1000,
  };
  if (!(batch.maxPoints >= 1 && batch.maxPoints <= REQUEST_LIMITS.maxPoints)) fail(`batch.maxPoints must be 1..${REQUEST_LIMITS.maxPoints}`);
  if (!(batch.maxBytes >= 1024 && batch.maxBytes <= REQUEST_LIMITS.maxBodyBytes)) fail(`batch.maxBytes must be 1 KiB..5 MiB`);
  if (!(batch.lingerMs >= 0)) fail('batch.lingerMs must be >= 0');
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value > 0)) fail(`${name} must be > 0`);
  };
  const bounded = (name: string, value: number | undefined, max: number) => {
    if (value !== undefined && !(value <= max)) fail(`${name} must be at most ${max} ms (longer waits overflow Node's timers)`);
  };
  positive('timeoutMs', options.timeoutMs);
  bounded('timeoutMs', options.timeoutMs, MAX_TIMER_MS);
  bounded('shutdownTimeoutMs', options.shutdownTimeoutMs, MAX_TIMER_MS);
  bounded('firstSampleWaitMs', options.firstSampleWaitMs, MAX_TIMER_MS);
  if (options.run !== undefined && (typeof options.run !== 'string' || options.run.length === 0)) fail('run must be a non-empty string');
  if (options.clockSeed !== undefined && !(Number.isFinite(options.clockSeed.offsetMs) && (options.clockSeed.roundTripMs ?? 0) >= 0)) {
    fail('clockSeed needs a finite offsetMs and a roundTripMs of at least 0');
  }
  bounded('batch.lingerMs', options.batch?.lingerMs, MAX_TIMER_MS);
  bounded('websocket.heartbeatMs', options.websocket?.heartbeatMs, MAX_TIMER_MS / 2);
  bounded('websocket.timeSyncIntervalMs', options.websocket?.timeSyncIntervalMs, MAX_TIMER_MS);
  bounded('websocket.ackTimeoutMs', options.websocket?.ackTimeoutMs, MAX_TIMER_MS);
  for (const key of ['initialDelayMs', 'maxDelayMs', 'authProbeIntervalMs'] as const) bounded(`retry.${key}`, options.retry?.[key], MAX_TIMER_MS);
  positive('concurrency', options.concurrency);
  positive('maxPointsPerSecond', options.maxPointsPerSecond);
  if (options.firstSampleWaitMs !== undefined && !(options.firstSampleWaitMs >= 0)) fail('firstSampleWaitMs must be >= 0');
  if (options.gzipLevel !== undefined && !(Number.isInteger(options.gzipLevel) && options.gzipLevel >= 1 && options.gzipLevel <= 9)) fail('gzipLevel must be a whole number from 1 to 9');
  positive('websocket.heartbeatMs', options.websocket?.heartbeatMs);
  positive('websocket.ackTimeoutMs', options.websocket?.ackTimeoutMs);
  const ws = options.websocket;
  if (ws?.timeSyncIntervalMs !== undefined && !(ws.timeSyncIntervalMs >= 0)) fail('websocket.timeSyncIntervalMs must be >= 0');
  if (ws?.maxFrameBytes !== undefined && !(ws.maxFrameBytes >= 1024)) fail('websocket.maxFrameBytes must be at least 1 KiB');
  if (options.session !== undefined && !(typeof options.session === 'string' && options.session.length > 0 && options.session.length <= 256)) {
    fail('session must be a string of 1..256 characters');
  }
  return {
    ...options,
    url,
    batch,
    retry: { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) },
    timeoutMs: options.timeoutMs ?? 10_000,
    concurrency: options.concurrency ?? (url === 'stdout' ? 1 : /^wss?:/i.test(url) ? WS_CONCURRENCY : 2),
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    firstSampleWaitMs: options.firstSampleWaitMs ?? 10_000,
    gzipLevel: options.gzipLevel ?? 1,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
