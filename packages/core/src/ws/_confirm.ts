import type { Connection } from './_link.js';

/** Frames written but not yet confirmed, as counted at a disconnect. */
export interface Unconfirmed {
  frames: number;
  points: number;
}

/** One telemetry frame as the confirmations know it. */
export interface WrittenFrame {
  traceId: string;
  points: number;
}

/**
 * Tracks written telemetry frames until they are confirmed, and pings after each send. Every
 * WebSocket server answers a ping with a pong carrying the same payload (RFC 6455 5.5.3), and TCP
 * keeps order, so a pong proves the server read every frame written before its ping. For a server
 * without acks that pong is the frames' acknowledgement; for one with acks it proves only that the
 * connection is alive (a frame read but not acked is the server's delay, one not even read is a
 * dead link). One ping follows each send, so confirmations pipeline (a pong may answer only the
 * latest of several pings: it covers everything before it). The age of the oldest unanswered ping
 * is the liveness check.
 */
export interface Confirmations {
  /** The frames of one send were written on `conn` (a frame written again replaces its earlier entry): pings after them. */
  written(conn: Connection, frames: readonly WrittenFrame[]): void;
  /** A pong arrived: marks what it proves read and returns those trace ids (empty for a stale or foreign pong). */
  pong(data: Buffer): string[];
  /**
   * The frames are settled: confirmed (their pong from a server without acks, or their ack), or with
   * `confirmed` false refused by an error frame. Either way no longer tracked.
   */
  settle(traceIds: readonly string[], confirmed?: boolean): void;
  /** True when one of these frames is still tracked and no pong has proved it read. */
  unread(traceIds: readonly string[]): boolean;
  /** Sends a ping when none is out (the heartbeat's liveness probe). */
  probe(conn: Connection): void;
  /** True when the oldest ping out was written more than `ms` ago without a pong: the connection is dead. */
  overdue(ms: number): boolean;
  /** Points of a frame confirmed lately (a bounded memory), for a refusal that comes after its confirmation. */
  confirmedPoints(traceId: string): number | undefined;
  /** The connection ended: returns what was written and not confirmed, and starts over. */
  reset(): Unconfirmed;
}

/** Confirmed frames remembered for {@link Confirmations.confirmedPoints}. */
const RECENT = 256;

/** Creates the {@link Confirmations} of one transport; `now` is monotonic ms. */
export function createConfirmations(now: () => number): Confirmations {
  let seq = 0;
  let frames: Array<WrittenFrame & { seq: number; read: boolean }> = [];
  let pings: Array<{ id: number; watermark: number; writtenAtMs: number | undefined }> = [];
  let pingId = 0;
  const recent = new Map<string, number>();

  const ping = (conn: Connection) => {
    pingId += 1;
    const current = { id: pingId, watermark: seq, writtenAtMs: undefined as number | undefined };
    pings.push(current);
    const payload = Buffer.alloc(8);
    payload.writeDoubleBE(pingId);
    // The pong deadline runs from when the ping left for the socket, not from when it was
    // queued: behind megabytes of frames on a slow uplink it may wait long in our own buffer.
    conn.ping(payload, () => (current.writtenAtMs = now()));
  };

  return {
    written(conn, written) {
      const again = new Set(written.map((f) => f.traceId));
      frames = frames.filter((f) => !again.has(f.traceId));
      for (const f of written) frames.push({ traceId: f.traceId, points: f.points, seq: ++seq, read: false });
      ping(conn);
    },
    pong(data) {
      const id = data.length === 8 ? data.readDoubleBE(0) : Number.NaN;
      const at = pings.findIndex((p) => p.id === id);
      if (at < 0) return [];
      const watermark = pings[at]!.watermark;
      pings = pings.slice(at + 1);
      const read = frames.filter((f) => !f.read && f.seq <= watermark);
      for (const f of read) f.read = true;
      return read.map((f) => f.traceId);
    },
    settle(traceIds, confirmed = true) {
      const ids = new Set(traceIds);
      for (const f of frames) {
        if (!confirmed || !ids.has(f.traceId)) continue;
        recent.delete(f.traceId);
        recent.set(f.traceId, f.points);
        if (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
      }
      frames = frames.filter((f) => !ids.has(f.traceId));
    },
    unread(traceIds) {
      const ids = new Set(traceIds);
      return frames.some((f) => !f.read && ids.has(f.traceId));
    },
    probe(conn) {
      if (pings.length === 0) ping(conn);
    },
    overdue(ms) {
      const oldest = pings[0]?.writtenAtMs;
      return oldest !== undefined && now() - oldest > ms;
    },
    confirmedPoints: (traceId) => recent.get(traceId),
    reset() {
      const left = { frames: frames.length, points: frames.reduce((n, f) => n + f.points, 0) };
      frames = [];
      pings = [];
      return left;
    },
  };
}
