import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { MavlinkBridgeError } from './errors.js';
import { peerName, type LinkHandlers, type LinkStats, type MavlinkLink } from './link.js';
import type { TcpInSpec } from './link-url.js';

/** Options of {@link createTcpServerLink}. */
export interface TcpServerLinkOptions {
  /** Clients served at once; one more is closed at once and counted as refused. Default 16. */
  maxClients?: number;
}

/** Bytes a client may leave unread before sends to it are skipped (a client that never reads must not grow a buffer without bound). */
const MAX_UNREAD = 64 * 1024;

interface Client {
  socket: Socket;
  peer: string;
  stream: string;
}

/**
 * A TCP server link (`tcpin://`): vehicles, SITL (`--serial1 tcpclient:…`), mavlink-router
 * (`[TcpEndpoint]`) or MAVProxy (`--out tcp:…`) connect to it. Several clients at once, each its
 * own byte stream (`LinkChunk.stream`); sends go to every client, as udpin answers every peer.
 * The link is `open` while it listens, whether or not a client is connected; clients coming and
 * going are `client` events.
 */
export function createTcpServerLink(spec: TcpInSpec, options: TcpServerLinkOptions = {}): MavlinkLink {
  const maxClients = options.maxClients ?? 16;
  const stats: LinkStats = { chunks: 0, bytes: 0, dropped: 0, errors: 0, accepted: 0, disconnected: 0, refused: 0 };
  const clients = new Map<string, Client>();
  let handlers: LinkHandlers | undefined;
  let server: Server | undefined;
  let listening = false;
  let paused = false;
  let serial = 0;
  let closing: Promise<void> | undefined;

  const accept = (socket: Socket): void => {
    // An `error` nobody hears ends the process: listen for the socket's whole life.
    socket.on('error', () => undefined);
    const peer = peerName('tcp', socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
    if (closing) {
      socket.destroy();
      return;
    }
    if (clients.size >= maxClients) {
      stats.refused! += 1;
      socket.destroy();
      handlers?.client?.({ kind: 'refused', peer, clients: clients.size });
      return;
    }
    const stream = `${peer}#${++serial}`;
    clients.set(stream, { socket, peer, stream });
    stats.accepted! += 1;
    socket.setNoDelay(true);
    // A client that vanishes without closing (a companion computer losing power) is noticed by keepalive.
    socket.setKeepAlive(true, 10_000);
    if (paused) socket.pause();
    let reason = 'the client closed the connection';
    socket.on('error', (err) => {
      reason = err.message;
    });
    socket.on('data', (bytes: Buffer) => {
      stats.chunks += 1;
      stats.bytes += bytes.length;
      handlers?.data({ bytes, peer, stream, datagram: false });
    });
    socket.on('close', () => {
      if (!clients.delete(stream)) return;
      stats.disconnected! += 1;
      if (!closing) handlers?.client?.({ kind: 'disconnected', peer, stream, clients: clients.size, reason });
    });
    handlers?.client?.({ kind: 'connected', peer, stream, clients: clients.size });
  };

  const write = (client: Client, bytes: Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => {
      client.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });

  return {
    spec,
    start(h) {
      handlers = h;
      const s = createServer(accept);
      server = s;
      return new Promise<void>((resolve, reject) => {
        const failed = (err: Error): void => {
          s.close();
          if (server === s) server = undefined;
          const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (another program, perhaps mavlink-router or a ground station, uses the port)' : '';
          reject(new MavlinkBridgeError('OPEN_FAILED', `could not listen on TCP ${spec.host}:${spec.port}: ${err.message}${inUse}`, { cause: err }));
        };
        s.once('error', failed);
        s.listen(spec.port, spec.host, () => {
          s.off('error', failed);
          // Closed while the host was looked up: let the port go, and say nothing opened.
          if (closing) {
            s.close();
            resolve();
            return;
          }
          // Later server errors (EMFILE while accepting) cost one connection, not the link.
          s.on('error', () => {
            stats.errors += 1;
          });
          listening = true;
          handlers?.state?.('open');
          resolve();
        });
      });
    },
    async send(bytes, peer) {
      if (closing) return 0;
      const to = [...clients.values()].filter((c) => (peer === undefined || c.peer === peer) && c.socket.writable && c.socket.writableLength < MAX_UNREAD);
      const results = await Promise.allSettled(to.map((c) => write(c, bytes)));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      stats.errors += failures.length;
      if (failures.length > 0 && failures.length === to.length) {
        const err = failures[0]!.reason as Error;
        throw new MavlinkBridgeError('SEND_FAILED', `could not send to ${to[0]!.peer}: ${err.message}`, { cause: err });
      }
      return to.length - failures.length;
    },
    peers: () => [...clients.values()].map((c) => c.peer),
    localAddress() {
      if (!server || !listening || closing) return undefined;
      const a = server.address() as AddressInfo | null;
      return a ? { host: a.address, port: a.port } : undefined;
    },
    pause() {
      paused = true;
      for (const c of clients.values()) c.socket.pause();
    },
    resume() {
      paused = false;
      for (const c of clients.values()) c.socket.resume();
    },
    stats: () => ({ ...stats }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const c of clients.values()) c.socket.destroy();
        const s = server;
        // Not listening yet: the listen callback closes it (above) once it is.
        if (!s || !listening) {
          handlers?.state?.('closed');
          return resolve();
        }
        // Resolves once every connection is gone too: they were destroyed just above.
        s.close(() => {
          handlers?.state?.('closed');
          resolve();
        });
      });
      return closing;
    },
  };
}
