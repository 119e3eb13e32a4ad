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
 * `ws`). An API key about to travel unencrypted to a host beyond loopback is warned about once,
 * and so is a proxy variable (`HTTPS_PROXY`, ...) in the environment, which is not used.
 */
export function createTransport(o: ResolvedSinkOptions, deps: TransportDeps): { transport: Transport; ws?: WsTransport } {
  if (o.apiKey && /^(http|ws):\/\//.test(o.url) && !isLoopback(new URL(o.url).hostname)) {
    deps.logger.warn({ url: redactUrl(o.url) }, `the API key goes unencrypted over ${new URL(o.url).protocol}// to ${new URL(o.url).hostname}: anyone on the path can read it; use https:// or wss://`);
  }
  const proxy = proxyVariable(process.env);
  if (proxy && o.url !== 'stdout') {
    deps.logger.warn(
      { url: redactUrl(o.url), variable: proxy },
      `${proxy} is set, but fieldbridge does not use proxies: it connects directly to ${new URL(o.url).host}. ` +
        'Allow that egress, or (library) pass a transport created with createHttpTransport({ agent }) and a proxy agent; see docs/sink.md#proxies',
    );
  }
  if (o.url === 'stdout') return { transport: createStdoutTransport({ sourceId: o.sourceId, stream: o.stdout }) };
  if (/^https?:\/\//.test(o.url)) {
    return {
      transport: createHttpTransport({ url: o.url, apiKey: o.apiKey, signingSecret: o.signing?.secret, sourceId: o.sourceId, gzipLevel: o.gzip === false ? undefined : o.gzipLevel, clock: deps.clock, tls: o.tls }),
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
    stateDir: w.statePath ?? o.buffer?.path,
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

/** The proxy variable an operator may expect to be honoured (curl's and Telegraf's names), if one is set. */
function proxyVariable(env: NodeJS.ProcessEnv): string | undefined {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].find((name) => (env[name] ?? '') !== '');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
