import { connect as netConnect, type Socket } from 'node:net';
import { peerName, type MavlinkLink, type ReconnectOptions } from './link.js';
import type { TcpSpec } from './link-url.js';
import { createReconnectingLink, type OpenStream } from './_reconnecting.js';

function streamOf(socket: Socket): OpenStream {
  return {
    write: (bytes) => new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve()))),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: () =>
      new Promise((resolve) => {
        if (socket.closed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
  };
}

/** Options of {@link createTcpLink}. */
export interface TcpLinkOptions {
  reconnect?: ReconnectOptions;
  /** An attempt that has not connected after this many ms fails (a host that drops SYNs would otherwise hold it for minutes). Default 10,000. */
  connectTimeoutMs?: number;
}

/** A TCP client link (to SITL, a vehicle's TCP server, a router) that reconnects with backoff when refused or dropped. */
export function createTcpLink(spec: TcpSpec, options: TcpLinkOptions = {}): MavlinkLink {
  const peer = peerName('tcp', spec.host, spec.port);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  return createReconnectingLink(
    spec,
    peer,
    (events, signal) =>
      new Promise((resolve, reject) => {
        const socket = netConnect({ host: spec.host, port: spec.port });
        let open = false;
        let lastError = 'the connection closed';
        const fail = (err: Error): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', aborted);
          socket.destroy();
          reject(err);
        };
        const aborted = (): void => fail(new Error('the link was closed while connecting'));
        const timer = setTimeout(() => fail(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
        signal.addEventListener('abort', aborted, { once: true });
        socket.setNoDelay(true);
        socket.once('connect', () => {
          open = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', aborted);
          // A vehicle that vanishes without closing (power cut, radio out of range) is noticed by keepalive.
          socket.setKeepAlive(true, 10_000);
          resolve(streamOf(socket));
        });
        socket.on('data', (bytes: Buffer) => events.data(bytes));
        socket.on('error', (err) => {
          lastError = err.message;
          if (!open) fail(err);
        });
        socket.on('close', () => {
          if (open) events.closed(lastError);
        });
      }),
    options.reconnect,
  );
}
