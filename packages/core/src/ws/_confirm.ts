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
 * Confirms written frames with protocol-level pings, for servers that do not acknowledge frames.
 * Every WebSocket server answers a ping with a pong carrying the same payload (RFC 6455 5.5.3),
 * and TCP keeps order, so a pong proves the server read every frame written before its ping:
 * that pong is the frame's acknowledgement. One ping follows each send, so confirmations
 * pipeline (a pong may answer only the latest of several pings: it confirms everything before
 * it). The age of the oldest unanswered ping is the liveness check.
 */
export interface Confirmations {
  /** The frames of one send were written on `conn`: pings after them. */
  written(conn: Connection, frames: readonly WrittenFrame[]): void;
  /** A pong arrived: returns the trace ids it confirms (empty for a stale or foreign pong). */
  pong(data: Buffer): string[];
  /** Sends a ping when none is out (the heartbeat's liveness probe). */
  probe(conn: Connection): void;
  /** True when the oldest ping out was written more than `ms` ago without a pong: the connection is dead. */
  overdue(ms: number): boolean;
  /** Points of a frame confirmed lately (a bounded memory), for a refusal that comes after its pong. */
  confirmedPoints(traceId: string): number | undefined;
  /** The connection ended: returns what was unconfirmed, and starts over. */
  reset(): Unconfirmed;
}

/** Confirmed frames remembered for {@link Confirmations.confirmedPoints}. */
const RECENT = 256;

/** Creates the {@link Confirmations} of one transport; `now` is monotonic ms. */
export function createConfirmations(now: () => number): Confirmations {
  let seq = 0;
  let frames: Array<WrittenFrame & { seq: number }> = [];
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
      for (const f of written) frames.push({ ...f, seq: ++seq });
      ping(conn);
    },
    pong(data) {
      const id = data.length === 8 ? data.readDoubleBE(0) : Number.NaN;
      const at = pings.findIndex((p) => p.id === id);
      if (at < 0) return [];
      const watermark = pings[at]!.watermark;
      pings = pings.slice(at + 1);
      const confirmed = frames.filter((f) => f.seq <= watermark);
      frames = frames.filter((f) => f.seq > watermark);
      for (const f of confirmed) {
        recent.delete(f.traceId);
        recent.set(f.traceId, f.points);
        if (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
      }
      return confirmed.map((f) => f.traceId);
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
