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

/** A TCP client link (to SITL, a vehicle's TCP server, a router) that reconnects with backoff when refused or dropped. */
export function createTcpLink(spec: TcpSpec, options: { reconnect?: ReconnectOptions } = {}): MavlinkLink {
  const peer = peerName('tcp', spec.host, spec.port);
  return createReconnectingLink(
    spec,
    peer,
    (events) =>
      new Promise((resolve, reject) => {
        const socket = netConnect({ host: spec.host, port: spec.port });
        let open = false;
        let lastError = 'the connection closed';
        socket.setNoDelay(true);
        socket.once('connect', () => {
          open = true;
          // A vehicle that vanishes without closing (power cut, radio out of range) is noticed by keepalive.
          socket.setKeepAlive(true, 10_000);
          resolve(streamOf(socket));
        });
        socket.on('data', (bytes: Buffer) => events.data(bytes));
        socket.on('error', (err) => {
          lastError = err.message;
          if (!open) reject(err);
        });
        socket.on('close', () => {
          if (open) events.closed(lastError);
        });
      }),
    options.reconnect,
  );
}
