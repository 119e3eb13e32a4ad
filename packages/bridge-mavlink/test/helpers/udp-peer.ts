import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { until } from '@fieldbridge/core/testing';
import { createWaiters } from './waiters.js';

/** A UDP socket on a free loopback port playing a vehicle or a ground station. */
export interface UdpPeer {
  socket: Socket;
  port: number;
  received: { bytes: Buffer; from: RemoteInfo }[];
  send(bytes: Uint8Array, port: number, host?: string): Promise<void>;
  /** Resolves once `n` datagrams have arrived. */
  receivedAtLeast(n: number): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

export async function udpPeer(): Promise<UdpPeer> {
  const socket = createSocket('udp4');
  const received: UdpPeer['received'] = [];
  const { notify, until } = createWaiters();
  socket.on('message', (bytes, from) => {
    received.push({ bytes, from });
    notify();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    socket,
    port: socket.address().port,
    received,
    send: (bytes, port, host = '127.0.0.1') => new Promise((resolve, reject) => socket.send(bytes, port, host, (err) => (err ? reject(err) : resolve()))),
    receivedAtLeast: (n) => until(() => received.length >= n, `${n} datagrams (got ${received.length} when the wait began)`),
    close() {
      closed ??= new Promise((resolve) => socket.close(() => resolve()));
      return closed;
    },
  };
}

export { until };
