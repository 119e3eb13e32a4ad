import { MavlinkBridgeError } from './errors.js';
import type { MavlinkLink, ReconnectOptions } from './link.js';
import { createSerialLink } from './link-serial.js';
import { createTcpLink } from './link-tcp.js';
import { createTcpServerLink, type TcpServerLinkOptions } from './link-tcp-server.js';
import { createTlogLink, type ReplayTimer, type TlogProgress } from './link-tlog.js';
import { createUdpLink, type UdpLinkOptions } from './link-udp.js';
import { parseLinkUrl, type LinkSpec } from './link-url.js';

/** Options of {@link openLink}, each used by the links it applies to. */
export interface LinkOptions extends UdpLinkOptions, TcpServerLinkOptions {
  /** tcp and serial: reconnect backoff. */
  reconnect?: ReconnectOptions;
  /** tcp: an attempt not connected after this many ms fails. Default 10,000. */
  connectTimeoutMs?: number;
  /** tlog with `pace=recorded`: the timer between records. */
  timer?: ReplayTimer;
  /** tlog: where an earlier replay of the same file got to (a reload goes on from there). */
  progress?: TlogProgress;
}

/**
 * The link for a `connection` URL or parsed spec (not started: call `start`). Throws a
 * `BAD_CONNECTION` error for a URL {@link parseLinkUrl} refuses.
 */
export function openLink(connection: string | LinkSpec, options: LinkOptions = {}): MavlinkLink {
  let spec: LinkSpec;
  if (typeof connection === 'string') {
    const parsed = parseLinkUrl(connection);
    if (!parsed.ok) throw new MavlinkBridgeError('BAD_CONNECTION', parsed.message);
    spec = parsed.spec;
  } else {
    spec = connection;
  }
  switch (spec.kind) {
    case 'udpin':
    case 'udpout':
      return createUdpLink(spec, options);
    case 'tcp':
      return createTcpLink(spec, { ...(options.reconnect ? { reconnect: options.reconnect } : {}), ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }) });
    case 'tcpin':
      return createTcpServerLink(spec, options.maxClients === undefined ? {} : { maxClients: options.maxClients });
    case 'serial':
      return createSerialLink(spec, options.reconnect ? { reconnect: options.reconnect } : {});
    case 'tlog':
      return createTlogLink(spec, { ...(options.timer ? { timer: options.timer } : {}), ...(options.progress ? { progress: options.progress } : {}) });
  }
}
