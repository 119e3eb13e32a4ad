import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { MavlinkBridgeError } from './errors.js';
import { peerName, type LinkHandlers, type LinkStats, type MavlinkLink } from './link.js';
import type { UdpInSpec, UdpOutSpec } from './link-url.js';

/** Options of UDP links. */
export interface UdpLinkOptions {
  /** udpin: peers remembered for answers; the least recently heard is forgotten past this. Default 16. */
  maxPeers?: number;
  /** udpin: a peer silent this long (ms) gets no more answers. Default 60,000. */
  peerTimeoutMs?: number;
  /** Clock for peer ages, in ms. Default `Date.now`. */
  now?: () => number;
}

interface Peer {
  address: string;
  port: number;
  heardAtMs: number;
}

/**
 * A UDP link. `udpin` binds and listens, remembering each peer it hears from so that answers
 * (heartbeats, requests) go back to them; `udpout` binds an ephemeral port and talks to one
 * address, which learns the bridge's port from the first bytes sent.
 */
export function createUdpLink(spec: UdpInSpec | UdpOutSpec, options: UdpLinkOptions = {}): MavlinkLink {
  const maxPeers = options.maxPeers ?? 16;
  const peerTimeoutMs = options.peerTimeoutMs ?? 60_000;
  const now = options.now ?? Date.now;
  const peers = new Map<string, Peer>();
  const stats: LinkStats = { chunks: 0, bytes: 0, dropped: 0, errors: 0 };
  const target = spec.kind === 'udpout' ? { name: peerName('udp', spec.host, spec.port), address: spec.host, port: spec.port } : undefined;
  let socket: Socket | undefined;
  let paused = false;
  let closed: Promise<void> | undefined;

  const remember = (rinfo: RemoteInfo): string => {
    const name = peerName('udp', rinfo.address, rinfo.port);
    if (spec.kind !== 'udpin') return name;
    peers.delete(name);
    if (peers.size >= maxPeers) peers.delete(peers.keys().next().value!);
    peers.set(name, { address: rinfo.address, port: rinfo.port, heardAtMs: now() });
    return name;
  };

  const sendTo = (bytes: Uint8Array, address: string, port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      socket!.send(bytes, port, address, (err) => (err ? reject(new MavlinkBridgeError('SEND_FAILED', `could not send to ${address}:${port}: ${err.message}`, { cause: err })) : resolve()));
    });

  const live = (): Peer[] => [...peers.values()].filter((p) => now() - p.heardAtMs <= peerTimeoutMs);

  return {
    spec,
    start(handlers: LinkHandlers) {
      const family = isIP(spec.host);
      socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
      const s = socket;
      s.on('message', (msg, rinfo) => {
        const peer = remember(rinfo);
        if (paused) {
          stats.dropped += 1;
          return;
        }
        stats.chunks += 1;
        stats.bytes += msg.length;
        handlers.data({ bytes: msg, peer, datagram: true });
      });
      return new Promise<void>((resolve, reject) => {
        const failed = (err: Error): void => {
          s.close();
          // Closed: a later close() of the link must not close it again (ERR_SOCKET_DGRAM_NOT_RUNNING).
          if (socket === s) socket = undefined;
          reject(new MavlinkBridgeError('OPEN_FAILED', `could not bind UDP ${spec.kind === 'udpin' ? `${spec.host}:${spec.port}` : 'socket'}: ${err.message}${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (another program, perhaps a ground station, uses the port)' : ''}`, { cause: err }));
        };
        s.once('error', failed);
        const bound = (): void => {
          s.off('error', failed);
          // Later socket errors (ICMP unreachable answers to sends) are not fatal for a datagram socket.
          s.on('error', () => {
            stats.errors += 1;
          });
          handlers.state?.('open');
          resolve();
        };
        if (spec.kind === 'udpin') s.bind(spec.port, spec.host, bound);
        else s.bind(0, bound);
      });
    },
    async send(bytes, peer) {
      if (!socket || closed) return 0;
      if (target) {
        if (peer !== undefined && peer !== target.name) return 0;
        await sendTo(bytes, target.address, target.port);
        return 1;
      }
      const to = peer === undefined ? live() : [peers.get(peer)].filter((p): p is Peer => p !== undefined);
      await Promise.all(to.map((p) => sendTo(bytes, p.address, p.port)));
      return to.length;
    },
    peers: () => (target ? [target.name] : live().map((p) => peerName('udp', p.address, p.port))),
    localAddress() {
      if (!socket || closed) return undefined;
      try {
        const a = socket.address();
        return { host: a.address, port: a.port };
      } catch {
        // Not bound yet.
        return undefined;
      }
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    stats: () => ({ ...stats }),
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (!socket) return resolve();
        socket.close(() => resolve());
      });
      return closed;
    },
  };
}
