import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { FieldbridgeError } from '../errors.js';
import { excerpt } from '../shared/text.js';
import { nodeTlsOptions, type TlsOptions } from './tls.js';
import type { ProxyTarget } from './proxy-env.js';

/** Options of {@link createTunnelAgent}. */
export interface TunnelAgentOptions {
  /** The target is `https://`/`wss://`: TLS to it inside the tunnel. */
  secure: boolean;
  /** TLS to the target (not to the proxy): a private CA, a client certificate, the server name. */
  tls?: TlsOptions;
  /** Keep tunnels open between requests (HTTP); false for WebSocket, whose connection is the tunnel. */
  keepAlive: boolean;
  /** Tunnels open at once. Default: unlimited. */
  maxSockets?: number;
  /** An idle kept-alive tunnel is closed after this long, in ms. */
  idleMs?: number;
  /** Longest wait for the proxy's connection and its answer to CONNECT, in ms. Default 10 000. */
  connectTimeoutMs?: number;
}

/** An agent that tunnels, and a way to end the tunnels still being opened. */
export interface TunnelAgent {
  agent: HttpAgent;
  /** Ends every tunnel not yet open with `err` (the requests waiting for them fail with it). */
  abortPending(err: Error): void;
}

/** Most of a proxy's answer to CONNECT read before it is given up as malformed. */
const MAX_CONNECT_ANSWER_BYTES = 16 * 1024;

/**
 * A node `http`/`https` agent whose connections are HTTP CONNECT tunnels through `proxy`, TLS to
 * the target inside them for `secure`: node's own pool on top, so keep-alive, `maxSockets`, TLS
 * settings and `destroy()` work as with a direct agent. A proxy refusing the tunnel fails the
 * request with `PROXY_REFUSED` naming the proxy (redacted) and its status; a proxy that cannot be
 * reached, with `PROXY_FAILED`; both are network failures to the caller (retried).
 *
 * Written here rather than taken from `https-proxy-agent` 5.0.1 (agent-base 6, the version in the
 * store), measured with this transport on Node 20 through the test proxy: it opened a tunnel per
 * request (20 batches, 20 tunnels and TLS handshakes; this agent: 1), its TLS options went to the
 * proxy rather than the receiver (with the private CA on the agent, 0 of 20 batches delivered, so
 * `sink.tls` would have to travel with every request), and it replays a refusal as if the
 * receiver had answered: the proxy's 403 became `unauthorized` (the sink blaming its API key and
 * probing slowly) and its 407 a bare `HTTP 407` naming no proxy.
 */
export function createTunnelAgent(proxy: ProxyTarget, o: TunnelAgentOptions): TunnelAgent {
  const base = { keepAlive: o.keepAlive, ...(o.maxSockets ? { maxSockets: o.maxSockets } : {}), ...(o.idleMs ? { timeout: o.idleMs } : {}) };
  const agent = o.secure ? new HttpsAgent({ ...base, ...nodeTlsOptions(o.tls) }) : new HttpAgent(base);
  const pending = new Set<Socket>();
  const timeoutMs = o.connectTimeoutMs ?? 10_000;
  const abortPending = (err: Error): void => {
    for (const socket of pending) socket.destroy(err);
  };
  agent.createConnection = (options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined => {
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? (o.secure ? 443 : 80));
    openTunnel(proxy, host, port, timeoutMs, pending).then(
      (socket) => callback?.(null, o.secure ? tlsConnect({ ...targetTls(options), socket, host }) : socket),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  };
  const destroy = agent.destroy.bind(agent);
  agent.destroy = () => {
    abortPending(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    destroy();
  };
  return { agent, abortPending };
}

/** Connects to the proxy and asks it for a tunnel to `host:port`; resolves with the tunnel's socket. */
function openTunnel(proxy: ProxyTarget, host: string, port: number, timeoutMs: number, pending: Set<Socket>): Promise<Socket> {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket: Socket = proxy.secure ? tlsConnect({ host: proxy.host, port: proxy.port, servername: proxy.host, ALPNProtocols: ['http/1.1'] }) : netConnect({ host: proxy.host, port: proxy.port });
    pending.add(socket);
    let answer = Buffer.alloc(0);
    const fail = (err: Error): void => {
      done();
      socket.destroy();
      reject(err);
    };
    const failed = (code: 'PROXY_FAILED' | 'PROXY_REFUSED', message: string, cause?: unknown): void => fail(new FieldbridgeError(code, message, { cause }));
    const timer = setTimeout(() => failed('PROXY_FAILED', `the proxy ${proxy.display} did not open a tunnel to ${target} within ${timeoutMs} ms`), timeoutMs);
    const onError = (err: Error & { code?: string }): void => {
      if (err.name === 'AbortError') return fail(err);
      failed('PROXY_FAILED', `cannot reach the proxy ${proxy.display} (${err.code ?? excerpt(err.message, 120)})`, err);
    };
    const onClose = (): void => failed('PROXY_FAILED', `the proxy ${proxy.display} closed the connection before answering CONNECT ${target}`);
    const onData = (chunk: Buffer): void => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf('\r\n\r\n');
      if (end === -1) {
        if (answer.length > MAX_CONNECT_ANSWER_BYTES) failed('PROXY_FAILED', `the proxy ${proxy.display} sent no HTTP answer to CONNECT ${target}`);
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)/.exec(answer.subarray(0, end).toString('latin1'));
      if (!status) return failed('PROXY_FAILED', `the proxy ${proxy.display} sent no HTTP answer to CONNECT ${target}`);
      const code = Number(status[1]);
      if (code < 200 || code > 299) return failed('PROXY_REFUSED', refusal(proxy, target, code, status[2] ?? ''));
      done();
      // Bytes after the answer already belong to the target (its TLS hello, say).
      const rest = answer.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const done = (): void => {
      clearTimeout(timer);
      pending.delete(socket);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    const auth = proxy.authorization === undefined ? '' : `Proxy-Authorization: ${proxy.authorization}\r\n`;
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  });
}

/**
 * The TLS settings of a request to the target (the agent's own merged in by node): what the sink
 * sets, and the server name node derived from the host (none for an IP address).
 */
function targetTls(options: ClientRequestArgs): ConnectionOptions {
  const o = options as ClientRequestArgs & ConnectionOptions;
  const picked: ConnectionOptions = {};
  if (o.ca !== undefined) picked.ca = o.ca;
  if (o.cert !== undefined) picked.cert = o.cert;
  if (o.key !== undefined) picked.key = o.key;
  if (o.servername) picked.servername = o.servername;
  if (o.rejectUnauthorized !== undefined) picked.rejectUnauthorized = o.rejectUnauthorized;
  if (o.checkServerIdentity !== undefined) picked.checkServerIdentity = o.checkServerIdentity;
  return picked;
}

/** What a refused CONNECT means, naming the proxy (redacted) and its status, and what to do. */
function refusal(proxy: ProxyTarget, target: string, code: number, reason: string): string {
  const said = `the proxy ${proxy.display} refused to tunnel to ${target}: HTTP ${code}${reason ? ` ${excerpt(reason, 60)}` : ''}`;
  if (code === 407) return `${said} (${proxy.authorization ? 'check the user and password in the proxy URL' : 'it wants a user and password: http://user:password@host:port'})`;
  if (code === 403) return `${said} (ask for ${target} to be allowed, or add the host to NO_PROXY if it is reachable directly)`;
  if (code === 502 || code === 503 || code === 504) return `${said} (the proxy could not reach ${target})`;
  return said;
}
