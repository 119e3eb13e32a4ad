import type { Connection } from './_link.js';

/** Frames written but not yet confirmed, as counted at a disconnect. */
export interface Unconfirmed {
  frames: number;
  points: number;
}

/**
 * Confirms written frames with protocol-level pings. Every WebSocket server answers a ping
 * with a pong carrying the same payload, and TCP keeps order, so a pong proves the server read
 * every frame written before its ping. At most one ping is out at a time; its age is the
 * liveness check. Without acks, what is unconfirmed at a disconnect is what may be lost.
 */
export interface Confirmations {
  /** A telemetry frame of `points` points was written on `conn`. */
  written(conn: Connection, points: number): void;
  /** A pong arrived. */
  pong(conn: Connection, data: Buffer): void;
  /** Sends a ping when none is out (the heartbeat's liveness probe). */
  probe(conn: Connection): void;
  /** True when the ping out was written more than `ms` ago without a pong: the connection is dead. */
  overdue(ms: number): boolean;
  /** The connection ended: returns what was unconfirmed, and starts over. */
  reset(): Unconfirmed;
}

/** Creates the {@link Confirmations} of one transport; `now` is monotonic ms. */
export function createConfirmations(now: () => number): Confirmations {
  let seq = 0;
  let frames: Array<{ seq: number; points: number }> = [];
  let out: { id: number; watermark: number; writtenAtMs: number | undefined } | undefined;
  let pingId = 0;

  const ping = (conn: Connection) => {
    pingId += 1;
    const current = { id: pingId, watermark: seq, writtenAtMs: undefined as number | undefined };
    out = current;
    const payload = Buffer.alloc(8);
    payload.writeDoubleBE(pingId);
    // The pong deadline runs from when the ping left for the socket, not from when it was
    // queued: behind megabytes of frames on a slow uplink it may wait long in our own buffer.
    conn.ping(payload, () => (current.writtenAtMs = now()));
  };

  return {
    written(conn, points) {
      seq += 1;
      frames.push({ seq, points });
      if (!out) ping(conn);
    },
    pong(conn, data) {
      if (!out || data.length !== 8 || data.readDoubleBE(0) !== out.id) return;
      const watermark = out.watermark;
      out = undefined;
      frames = frames.filter((f) => f.seq > watermark);
      if (frames.length > 0) ping(conn);
    },
    probe(conn) {
      if (!out) ping(conn);
    },
    overdue: (ms) => out?.writtenAtMs !== undefined && now() - out.writtenAtMs > ms,
    reset() {
      const lost = { frames: frames.length, points: frames.reduce((n, f) => n + f.points, 0) };
      frames = [];
      out = undefined;
      return lost;
    },
  };
}
