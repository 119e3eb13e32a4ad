import type { LinkSpec } from './link-url.js';

/** Bytes as they arrived, and from whom. */
export interface LinkChunk {
  bytes: Buffer;
  /** Who sent them: `udp:127.0.0.1:14551`, `tcp:10.0.0.2:5760`, `serial:/dev/ttyACM0`, `tlog:/data/f.tlog`. */
  peer: string;
  /** A whole datagram (UDP, one `.tlog` record): no frame continues in the next chunk. */
  datagram: boolean;
  /**
   * The byte stream the chunk continues, when the link carries several at once (tcpin: one per
   * client connection, unique for the link's life): each needs a parser of its own, so that a
   * frame split over two reads of one client is not broken by another client's bytes.
   */
  stream?: string;
  /** `.tlog` replay only: the time the record was received when it was logged, ms since the epoch. */
  recordedAtMs?: number;
  /** How long (ms) the chunk waited, held by a link kept open through a reload, before it was handed on. */
  waitedMs?: number;
}

/**
 * A link's state: `open` (bound, connected, opened, replaying); `reconnecting` (tcp and serial
 * after a failure, with the reason; the reader should `end()` its stream, since the next bytes
 * start a new one); `ended` (a `.tlog` replay delivered everything; the detail says how many bytes
 * of the file were not records, when some were not); `closed` (by `close()`, or a `.tlog` that
 * could not be read, with the reason).
 */
export type LinkState = 'open' | 'reconnecting' | 'ended' | 'closed';

/** A client of a listening link (tcpin) came or went. */
export interface LinkClientEvent {
  /** `refused`: turned away at once, since the link already serves as many clients as it takes. */
  kind: 'connected' | 'disconnected' | 'refused';
  /** `tcp:10.0.0.2:40112`. */
  peer: string;
  /** The client's stream (see {@link LinkChunk.stream}); absent for `refused`. */
  stream?: string;
  /** Clients connected after the event. */
  clients: number;
  /** `disconnected`: why (the client closed, or the socket's error). */
  reason?: string;
}

/** What a link calls. */
export interface LinkHandlers {
  data(chunk: LinkChunk): void;
  state?(state: LinkState, detail?: string): void;
  /** A client connected or left (tcpin only). After `disconnected` its stream sends no more bytes: settle what its parser holds. */
  client?(event: LinkClientEvent): void;
}

/** Totals of a link. */
export interface LinkStats {
  chunks: number;
  bytes: number;
  /** UDP datagrams dropped while paused (a socket cannot hold them back). */
  dropped: number;
  /** Errors that did not stop the link (a refused UDP send, a failed reconnect attempt). */
  errors: number;
  /** tcpin: client connections accepted, since the link started. */
  accepted?: number;
  /** tcpin: client connections that ended. */
  disconnected?: number;
  /** tcpin: connections turned away (too many clients at once). */
  refused?: number;
}

/** A byte transport to one or more MAVLink peers. */
export interface MavlinkLink {
  readonly spec: LinkSpec;
  /**
   * Starts it. Resolves once bound (udpin, udpout) or listening (tcpin), after the first
   * connection attempt (tcp, serial: it may be `reconnecting` then, and keeps trying), or once the
   * file is open (tlog). Rejects with an `OPEN_FAILED` error when a UDP or TCP port cannot be
   * bound or a `.tlog` file opened.
   */
  start(handlers: LinkHandlers): Promise<void>;
  /**
   * Sends bytes to `peer`, or to every peer: udpin answers each peer heard within its
   * `peerTimeoutMs`, tcpin each client connected; the others have one peer. Resolves with the number of peers sent to (0 when
   * disconnected, or for a `.tlog`).
   */
  send(bytes: Uint8Array, peer?: string): Promise<number>;
  /** Peers bytes can go to now. */
  peers(): string[];
  /** The local address bound (udpin, udpout, tcpin), e.g. to learn the port given for port 0. */
  localAddress(): { host: string; port: number } | undefined;
  /** Stops delivering data: tcp, serial and tlog hold it back; UDP drops datagrams (counted). */
  pause(): void;
  resume(): void;
  stats(): LinkStats;
  /** Stops for good: closes sockets, ports and files, cancels reconnects. Idempotent. */
  close(): Promise<void>;
}

/**
 * Reconnection of tcp and serial links, by the kit's reconnector: the delay doubles from
 * `initialMs` to `maxMs` with 20% jitter, and starts over once a connection lasted `stableMs`.
 */
export interface ReconnectOptions {
  /** ms. Default 500 (the kit's `RECONNECT_DEFAULTS`). */
  initialMs?: number;
  /** ms. Default 30,000. */
  maxMs?: number;
  /** A connection that lasted this long (ms) resets the backoff. Default 30,000. */
  stableMs?: number;
  /** Random numbers in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/** Formats a peer address: `udp:10.0.0.2:14550`, `udp:[::1]:14550`. */
export function peerName(protocol: string, address: string, port: number): string {
  return `${protocol}:${address.includes(':') ? `[${address}]` : address}:${port}`;
}
