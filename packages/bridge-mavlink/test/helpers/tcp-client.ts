import { connect, type Socket } from 'node:net';
import { createWaiters } from './waiters.js';

/** A TCP client standing for a vehicle, SITL or mavlink-router connecting to a `tcpin` bridge. */
export interface TcpClient {
  socket: Socket;
  /** The client's own port (kept after the connection closed). */
  localPort: number;
  /** Bytes the bridge sent to this client. */
  received(): Buffer;
  receivedAtLeast(n: number): Promise<void>;
  /** Resolves once the connection closed (by either side). */
  closed: Promise<void>;
  /** Writes `bytes`, resolving once handed to the kernel. */
  write(bytes: Uint8Array): Promise<void>;
}

export async function tcpClient(port: number, host = '127.0.0.1'): Promise<TcpClient> {
  const socket = connect({ port, host });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  const { notify, until } = createWaiters();
  socket.on('data', (b: Buffer) => {
    chunks.push(b);
    notify();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    localPort: socket.localPort!,
    received: () => Buffer.concat(chunks),
    receivedAtLeast: (n) => until(() => Buffer.concat(chunks).length >= n, `${n} bytes from the bridge`),
    closed,
    write: (bytes) => new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve()))),
  };
}
