import type { LinkSpec } from './link-url.js';

/** Bytes as they arrived, and from whom. */
export interface LinkChunk {
  bytes: Buffer;
  /** Who sent them: `udp:127.0.0.1:14551`, `tcp:10.0.0.2:5760`, `serial:/dev/ttyACM0`, `tlog:/data/f.tlog`. */
  peer: string;
  /** A whole datagram (UDP, one `.tlog` record): no frame continues in the next chunk. */
  datagram: boolean;
  /** `.tlog` replay only: the time the record was received when it was logged, ms since the epoch. */
  recordedAtMs?: number;
}

/**
 * A link's state: `open` (bound, connected, opened, replaying); `reconnecting` (tcp and serial
 * after a failure, with the reason; the reader should `end()` its stream, since the next bytes
 * start a new one); `ended` (a `.tlog` replay delivered everything); `closed` (by `close()`, or a
 * `.tlog` that could not be read, with the reason).
 */
export type LinkState = 'open' | 'reconnecting' | 'ended' | 'closed';

/** What a link calls. */
export interface LinkHandlers {
  data(chunk: LinkChunk): void;
  state?(state: LinkState, detail?: string): void;
}

/** Totals of a link. */
export interface LinkStats {
  chunks: number;
  bytes: number;
  /** UDP datagrams dropped while paused (a socket cannot hold them back). */
  dropped: number;
  /** Errors that did not stop the link (a refused UDP send, a failed reconnect attempt). */
  errors: number;
}

/** A byte transport to one or more MAVLink peers. */
export interface MavlinkLink {
  readonly spec: LinkSpec;
  /**
   * Starts it. Resolves once bound (udpin, udpout), after the first connection attempt (tcp,
   * serial: it may be `reconnecting` then, and keeps trying), or once the file is open (tlog).
   * Rejects with an `OPEN_FAILED` error when a UDP port cannot be bound or a `.tlog` file opened.
   */
  start(handlers: LinkHandlers): Promise<void>;
  /**
   * Sends bytes to `peer`, or to every peer: udpin answers each peer heard within its
   * `peerTimeoutMs`; the others have one peer. Resolves with the number of peers sent to (0 when
   * disconnected, or for a `.tlog`).
   */
  send(bytes: Uint8Array, peer?: string): Promise<number>;
  /** Peers bytes can go to now. */
  peers(): string[];
  /** The local address bound (udpin, udpout), e.g. to learn the port given for port 0. */
  localAddress(): { host: string; port: number } | undefined;
  /** Stops delivering data: tcp, serial and tlog hold it back; UDP drops datagrams (counted). */
  pause(): void;
  resume(): void;
  stats(): LinkStats;
  /** Stops for good: closes sockets, ports and files, cancels reconnects. Idempotent. */
  close(): Promise<void>;
}

/** Reconnection of tcp and serial links: the delay doubles from `initialMs` to `maxMs`, with jitter. */
export interface ReconnectOptions {
  /** Default 500. */
  initialMs?: number;
  /** Default 30,000. */
  maxMs?: number;
}

/** The delay before reconnect attempt `attempt` (0-based): exponential, capped, with 50-100 % jitter so that many bridges do not retry in step. */
export function reconnectDelayMs(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return base * (0.5 + random() * 0.5);
}

/** Formats a peer address: `udp:10.0.0.2:14550`, `udp:[::1]:14550`. */
export function peerName(protocol: string, address: string, port: number): string {
  return `${protocol}:${address.includes(':') ? `[${address}]` : address}:${port}`;
}
