import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createWaiters } from './waiters.js';

/** A TCP server on loopback standing for a vehicle or SITL: the test writes frames to whoever connects. */
export interface TcpVehicle {
  port: number;
  sockets: Socket[];
  /** Bytes the bridge sent, all connections together. */
  received(): Buffer;
  /** Resolves once `n` connections have been accepted in total. */
  connections(n: number): Promise<Socket>;
  /** Resolves once `n` bytes have been received. */
  receivedAtLeast(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpVehicle(port = 0): Promise<TcpVehicle> {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const { notify, until } = createWaiters();
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (b) => {
      chunks.push(b);
      notify();
    });
    socket.on('error', () => undefined);
    notify();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const wait = (ok: () => boolean, what: string): Promise<void> => until(ok, what);
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    received: () => Buffer.concat(chunks),
    async connections(n) {
      await wait(() => sockets.length >= n, `${n} connections`);
      return sockets[n - 1]!;
    },
    receivedAtLeast: (n) => wait(() => Buffer.concat(chunks).length >= n, `${n} bytes`),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
