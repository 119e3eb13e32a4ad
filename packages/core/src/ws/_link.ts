import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { Clock } from '../clock/clock.js';
import type { ProblemReporter } from '../shared/problems.js';
import { createWakeup, sleep } from '../shared/wait.js';
import { backoffDelayMs } from '../shared/backoff.js';
import type { RetryOptions } from '../transport/retry-policy.js';
import { nodeTlsOptions, tlsHint, type TlsOptions } from '../transport/tls.js';
import type { ConnectionObserver } from '../transport/transport.js';
import type { ProxyTarget } from '../transport/proxy-env.js';
import { createTunnelAgent } from '../transport/tunnel-agent.js';
import { excerpt, redact, redactUrl } from '../shared/text.js';
import type { WsMetrics } from './_metrics.js';
import { parseServerFrame, type ServerFrame } from './protocol.js';

/** Where the link is: `waiting` between attempts, `refused` after an auth error (until one succeeds). */
export type LinkState = 'connecting' | 'waiting' | 'ready' | 'refused' | 'closed';

/** One authenticated connection. */
export interface Connection {
  /** Increases with every connection, so late events of an old one are told apart. */
  readonly epoch: number;
  /** Extensions the server announced in `authenticated` (`ack`, `time_sync`). */
  readonly extensions: ReadonlySet<string>;
  /** Writes one text frame; resolves once written to the socket, with the error if it failed. */
  write(text: string): Promise<Error | undefined>;
  /** Sends a protocol-level ping carrying `payload` (the server echoes it in its pong); `onWritten` once it left for the socket. */
  ping(payload: Buffer, onWritten: () => void): void;
  /**
   * How long writes have waited without any of them reaching the socket (ms; 0 when none waits).
   * A slow uplink keeps making progress; a peer that stopped reading (its TCP window shut) or a
   * half-open link with our send buffer full makes none.
   */
  writeStalledMs(): number;
  /** Drops the connection at once (no close handshake); the link reconnects. */
  terminate(reason: string): void;
}

/** What the link reports. */
export interface LinkEvents {
  onReady(conn: Connection, auth: { frame: ServerFrame; sentAtMs: number; receivedAtMs: number }): void;
  onFrame(conn: Connection, frame: ServerFrame): void;
  onPong(conn: Connection, data: Buffer): void;
  /** An authenticated connection ended. */
  onDown(conn: Connection, reason: string): void;
}

/** Options of {@link createLink}. */
export interface LinkOptions extends LinkEvents {
  url: string;
  /** The `device_auth` frame, built for each attempt (the source id may have been adopted since). */
  authFrame(): string;
  clock: Clock;
  logger: Logger;
  problems: ProblemReporter;
  metrics: WsMetrics;
  retry: RetryOptions;
  /** Longest wait for the upgrade and then for the answer to `device_auth`, in ms. */
  authTimeoutMs: number;
  random?: () => number;
  /** Told of each connection, loss, scheduled attempt and refusal. */
  connection?: ConnectionObserver;
  /** TLS for `wss://`. */
  tls?: TlsOptions;
  /** An HTTP proxy every connection tunnels through (CONNECT). Default: direct. */
  proxy?: ProxyTarget;
  /** Secrets the server might echo back (the API key): never copied into a log line. */
  secrets?: readonly (string | undefined)[];
}

/** Largest message the server may send, in bytes; a larger one closes the connection (1009), counted. */
export const MAX_SERVER_MESSAGE_BYTES = 256 * 1024;

/** The connection manager: connects, authenticates, reconnects with backoff and jitter. */
export interface Link {
  state(): LinkState;
  current(): Connection | undefined;
  /** The server's words when it refused us, while refused. */
  refusal(): string | undefined;
  /** Resolves with the state once it is `ready`, `refused` or `closed`, or `timeout`. */
  whenUsable(timeoutMs: number, signal?: AbortSignal): Promise<LinkState | 'timeout'>;
  /** Stops reconnecting and closes the connection with a close handshake (at most `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

/** `ws`, loaded when the first link connects: a sink sending over HTTP never loads it (about 4 MB of RSS). */
let wsModule: typeof WebSocket | undefined;
const loadWs = async (): Promise<typeof WebSocket> => (wsModule ??= (await import('ws')).default);

/** A connection that lasted this long resets the backoff. */
const STABLE_MS = 30_000;

/** Starts connecting at once. */
export function createLink(o: LinkOptions): Link {
  const where = redactUrl(o.url);
  let state: LinkState = 'connecting';
  let socket: WebSocket | undefined;
  let conn: Connection | undefined;
  let epoch = 0;
  let failures = 0;
  let refusal: string | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const changed = createWakeup();
  // One agent for every attempt: without keep-alive each upgrade opens its own tunnel, and the
  // socket leaves the agent with the upgrade.
  const tunnel = o.proxy && createTunnelAgent(o.proxy, { secure: new URL(o.url).protocol === 'wss:', tls: o.tls, keepAlive: false, connectTimeoutMs: o.authTimeoutMs });
  const setState = (next: LinkState) => {
    state = next;
    changed.wake();
  };

  const schedule = (delayMs: number) => {
    retryTimer = setTimeout(connect, delayMs);
    retryTimer.unref();
  };

  function connect(): void {
    retryTimer = undefined;
    if (state === 'closed') return;
    if (state !== 'refused') setState('connecting');
    const id = ++epoch;
    const ws = new wsModule!(o.url, {
      handshakeTimeout: o.authTimeoutMs,
      perMessageDeflate: false,
      maxPayload: MAX_SERVER_MESSAGE_BYTES,
      ...nodeTlsOptions(o.tls),
      ...(tunnel ? { agent: tunnel.agent } : {}),
    });
    socket = ws;
    let sentAtMs = 0;
    let readyAtMs: number | undefined;
    let authTimer: NodeJS.Timeout | undefined;
    let refused: string | undefined;
    let reason: string | undefined;

    ws.on('open', () => {
      sentAtMs = o.clock.monotonicNow();
      ws.send(o.authFrame(), (err) => {
        if (err) reason ??= `device_auth not sent: ${err.message}`;
      });
      authTimer = setTimeout(() => {
        reason ??= `no answer to device_auth within ${o.authTimeoutMs} ms`;
        ws.terminate();
      }, o.authTimeoutMs);
      authTimer.unref();
    });
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? undefined : parseServerFrame(data.toString());
      if (!frame) {
        o.problems.report('ws:malformed', 'the server sent a frame that is not a JSON object with a "type"; ignored');
        return;
      }
      if (conn?.epoch === id) {
        o.onFrame(conn, frame);
        return;
      }
      if (frame.type === 'authenticated') {
        clearTimeout(authTimer);
        const receivedAtMs = o.clock.monotonicNow();
        readyAtMs = receivedAtMs;
        conn = connection(ws, id, extensionsOf(frame), (why) => (reason ??= why), () => o.clock.monotonicNow());
        if (refusal !== undefined) o.logger.info({ url: where }, 'the server accepts our credentials again; sending what was kept');
        refusal = undefined;
        o.problems.resolve('ws:connection', `WebSocket to ${where} authenticated again`);
        o.metrics.connects.inc({ result: 'authenticated' });
        o.metrics.connected.set(1);
        setState('ready');
        o.onReady(conn, { frame, sentAtMs, receivedAtMs });
        o.connection?.up();
      } else if (frame.type === 'error') {
        refused = redact(describeError(frame), o.secrets ?? []);
        ws.close(1000, 'authentication refused');
      }
    });
    ws.on('pong', (data) => {
      if (conn?.epoch === id) o.onPong(conn, data);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        o.metrics.oversized.inc();
        reason ??= `the server sent a message over ${MAX_SERVER_MESSAGE_BYTES} bytes; closed`;
        return;
      }
      const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
      if (status === '401' || status === '403') refused ??= `HTTP ${status} at the WebSocket upgrade`;
      else if (status === '404') refused ??= 'HTTP 404 at the WebSocket upgrade (is sink.url the device endpoint, e.g. wss://host/ws/device?)';
      else reason ??= describeNetworkError(err, o.authTimeoutMs);
    });
    ws.on('close', (code, closeReason) => {
      clearTimeout(authTimer);
      if (socket === ws) socket = undefined;
      const wasReady = conn?.epoch === id;
      const why = reason ?? `closed by the server (code ${code}${closeReason.length ? `: ${closeReason.toString()}` : ''})`;
      if (wasReady) {
        const down = conn!;
        conn = undefined;
        o.metrics.connected.set(0);
        o.onDown(down, why);
        if (state !== 'closed') o.connection?.down(why);
      }
      if (state === 'closed') {
        changed.wake();
        return;
      }
      if (refused !== undefined) {
        o.metrics.connects.inc({ result: 'refused' });
        if (refusal === undefined) {
          o.logger.error(
            { url: where, reason: refused },
            `the server refused device_auth (${refused}). Nothing is lost: points are kept in the spool, not sent. ` +
              `Fix sink.api_key (or its write scope); fieldbridge tries again every ${Math.round(o.retry.authProbeIntervalMs / 1000)} s.`,
          );
        }
        refusal = refused;
        o.connection?.refused(refused, Number(/HTTP (\d+)/.exec(refused)?.[1]) || undefined);
        setState('refused');
        schedule(o.retry.authProbeIntervalMs);
        return;
      }
      if (!wasReady) {
        o.metrics.connects.inc({ result: 'failed' });
        // An attempt that never got through: the receiver does not answer (an event only after it did once).
        o.connection?.down(why);
      }
      const stable = readyAtMs !== undefined && o.clock.monotonicNow() - readyAtMs >= STABLE_MS;
      failures = stable ? 1 : failures + 1;
      const delayMs = refusal !== undefined ? o.retry.authProbeIntervalMs : backoffDelayMs(failures, o.retry, o.random);
      o.problems.report('ws:connection', `WebSocket to ${where}: ${why}; reconnecting with backoff, data stays in the spool`, { retryInMs: Math.round(delayMs) });
      if (state !== 'refused') setState('waiting');
      if (refusal === undefined) o.connection?.retrying(failures, delayMs);
      schedule(delayMs);
    });
  }

  // The first connection waits for `ws` to load; the later ones find it loaded.
  loadWs().then(connect, (err: unknown) => {
    o.problems.report('ws:connection', `cannot load the WebSocket library (ws): ${(err as Error).message}`);
  });

  return {
    state: () => state,
    current: () => conn,
    refusal: () => refusal,
    async whenUsable(timeoutMs, signal) {
      const deadline = o.clock.monotonicNow() + timeoutMs;
      for (;;) {
        if (state === 'ready' || state === 'refused' || state === 'closed') return state;
        const left = deadline - o.clock.monotonicNow();
        if (left <= 0 || signal?.aborted) return 'timeout';
        const stop = new AbortController();
        await Promise.race([changed.wait(), sleep(left, stop.signal, signal)]);
        stop.abort();
      }
    },
    async close(timeoutMs) {
      if (state === 'closed') return;
      setState('closed');
      if (retryTimer) clearTimeout(retryTimer);
      tunnel?.agent.destroy();
      const ws = socket;
      if (!ws) return;
      if (ws.readyState !== ws.OPEN) {
        ws.terminate();
        return;
      }
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.close(1000, 'shutdown');
      const timer = new AbortController();
      await Promise.race([closed, sleep(timeoutMs, timer.signal)]);
      timer.abort();
      if ((ws.readyState as number) !== ws.CLOSED) ws.terminate();
    },
  };
}

/** Wraps an authenticated socket (exported for its tests). */
export function connection(ws: WebSocket, epoch: number, extensions: ReadonlySet<string>, setReason: (why: string) => void, now: () => number): Connection {
  let waiting = 0;
  let progressAtMs = 0;
  const queued = () => {
    if (waiting === 0) progressAtMs = now();
    waiting += 1;
  };
  const done = () => {
    waiting -= 1;
    progressAtMs = now();
  };
  return {
    epoch,
    extensions,
    write(text) {
      if (ws.readyState !== ws.OPEN) return Promise.resolve(new Error('the connection is closed'));
      queued();
      return new Promise((resolve) =>
        ws.send(text, (err) => {
          done();
          resolve(err ?? undefined);
        }),
      );
    },
    ping(payload, onWritten) {
      if (ws.readyState !== ws.OPEN) return;
      queued();
      ws.ping(payload, undefined, (err) => {
        done();
        if (!err) onWritten();
      });
    },
    writeStalledMs: () => (waiting > 0 ? now() - progressAtMs : 0),
    terminate(reason) {
      setReason(reason);
      ws.terminate();
    },
  };
}

function extensionsOf(frame: ServerFrame): ReadonlySet<string> {
  const list = (frame as { extensions?: unknown }).extensions;
  return new Set(Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : []);
}

/** The words of an `error` frame, `code: detail` or its message, bounded and printable. */
export function describeError(frame: ServerFrame): string {
  const f = frame as { code?: unknown; message?: unknown; detail?: unknown };
  const text = [f.message, f.detail].find((v) => typeof v === 'string') as string | undefined;
  const code = typeof f.code === 'string' ? excerpt(f.code, 64) : undefined;
  return [code, text === undefined ? undefined : excerpt(text, 200)].filter(Boolean).join(': ') || 'error frame without a message';
}

function describeNetworkError(err: Error & { code?: string }, upgradeTimeoutMs: number): string {
  // The ws library's words for a server that accepted the connection and never answered the upgrade.
  if (err.message === 'Opening handshake has timed out') {
    return `no answer to the WebSocket upgrade within ${upgradeTimeoutMs} ms (is sink.url a WebSocket device endpoint? a proxy or load balancer may be holding the request)`;
  }
  const message = excerpt(err.message, 200);
  const hint = tlsHint(err.code);
  const described = err.code ? `${err.code}: ${message}` : message;
  return hint ? `${described} (${hint})` : described;
}
