import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { ResolvedSinkOptions } from './sink-options.js';
import { createHttpTransport } from '../transport/http-transport.js';
import { createStdoutTransport } from '../transport/stdout-transport.js';
import type { ConnectionObserver, Transport } from '../transport/transport.js';
import type { DeviceControl } from '../control/device-control.js';
import { createWsTransport, type WsTransport } from '../ws/ws-transport.js';
import { redactUrl } from '../shared/text.js';
import { parseProxyUrl, proxyForUrl } from '../transport/proxy-env.js';

/** What the sink lends the transport it creates. */
export interface TransportDeps {
  clock: Clock;
  logger: Logger;
  problems: ProblemReporter;
  registry: Registry;
  /** Acts on dashboard control messages (WebSocket only). */
  control: DeviceControl;
  /** Told how the connection goes (WebSocket only; over HTTP the delivery loop reports). */
  connection: ConnectionObserver;
}

/**
 * The transport a sink URL selects: `stdout`, `http(s)://`, or `ws(s)://` (then also returned as
 * `ws`), through the proxy `o.env` names for the URL ({@link proxyForUrl}), which is logged once
 * (redacted), as is a proxy `NO_PROXY` bypasses. An API key about to travel unencrypted to a host
 * beyond loopback is warned about once.
 */
export function createTransport(o: ResolvedSinkOptions, deps: TransportDeps): { transport: Transport; ws?: WsTransport } {
  if (o.apiKey && /^(http|ws):\/\//.test(o.url) && !isLoopback(new URL(o.url).hostname)) {
    deps.logger.warn({ url: redactUrl(o.url) }, `the API key goes unencrypted over ${new URL(o.url).protocol}// to ${new URL(o.url).hostname}: anyone on the path can read it; use https:// or wss://`);
  }
  if (o.url === 'stdout') return { transport: createStdoutTransport({ sourceId: o.sourceId, stream: o.stdout }) };
  const proxy = proxyOf(o.url, o.env ?? process.env, deps.logger);
  if (/^https?:\/\//.test(o.url)) {
    return {
      transport: createHttpTransport({ url: o.url, apiKey: o.apiKey, signingSecret: o.signing?.secret, sourceId: o.sourceId, gzipLevel: o.gzip === false ? undefined : o.gzipLevel, clock: deps.clock, tls: o.tls, proxy }),
    };
  }
  const w = o.websocket ?? {};
  const ws = createWsTransport({
    url: o.url,
    apiKey: o.apiKey,
    signingSecret: o.signing?.secret,
    sourceId: o.sourceId,
    clock: deps.clock,
    tls: o.tls,
    proxy,
    stateDir: w.statePath ?? o.buffer?.path,
    stateReadOnly: w.stateReadOnly,
    platform: w.platform,
    agentVersion: o.agentVersion,
    heartbeatMs: w.heartbeatMs,
    timeSyncIntervalMs: w.timeSyncIntervalMs,
    ackTimeoutMs: w.ackTimeoutMs,
    maxFrameBytes: w.maxFrameBytes,
    retry: o.retry,
    control: deps.control,
    logger: deps.logger,
    problems: deps.problems,
    registry: deps.registry,
    connection: deps.connection,
  });
  return { transport: ws, ws };
}

/**
 * The proxy URL for the sink, and said once. One it cannot use (SOCKS, or a URL that does not
 * parse) is warned about and the sink connects directly: a bridge that refused to start would
 * read nothing, while one that runs keeps what it reads in its spool until the way out works.
 */
function proxyOf(url: string, env: NodeJS.ProcessEnv, logger: Logger): string | undefined {
  const choice = proxyForUrl(url, env);
  const host = new URL(url).host;
  if (choice.url === undefined) {
    if (choice.bypassedBy !== undefined) logger.info({ variable: choice.variable, no_proxy: choice.bypassedBy }, `connecting directly to ${host}: NO_PROXY entry ${choice.bypassedBy} matches it (${choice.variable} not used)`);
    return undefined;
  }
  let display: string;
  try {
    display = parseProxyUrl(choice.url, choice.variable).display;
  } catch (err) {
    logger.warn({ variable: choice.variable }, `${(err as Error).message}; connecting directly to ${host} meanwhile`);
    return undefined;
  }
  logger.info({ proxy: display, variable: choice.variable }, `connecting to ${host} through the proxy ${display} (from ${choice.variable})`);
  return choice.url;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
