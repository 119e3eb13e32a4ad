import type { Clock } from '../clock/clock.js';
import type { Batch } from '../shared/batch.js';
import type { SendOptions, SendResult } from '../transport/transport.js';
import type { AckOutcome, AckTracker } from './_acks.js';
import type { Confirmations } from './_confirm.js';
import type { TelemetryFrame } from './_frames.js';
import type { Link } from './_link.js';

/** What one send needs. */
export interface DeliverInput {
  batch: Batch;
  frames: TelemetryFrame[] | { tooLarge: string };
  link: Link;
  acks: AckTracker;
  confirmations: Confirmations;
  sendOptions: SendOptions & { ackTimeoutMs: number };
  clock: Clock;
  /** Signs a frame's text just before it is written (a fresh time on every attempt); undefined sends it unsigned. */
  sign?: (frame: string) => string;
}

/**
 * Sends one batch's frames and maps the outcome to a {@link SendResult}: waits (at most the
 * send timeout) for an authenticated connection, writes the frames, then waits for every frame's
 * acknowledgement: its `ack` where the server has the extension, else the pong that follows it
 * (at most `ackTimeoutMs`). No pong after the frames by then, ack or not, drops the connection as
 * dead (half-open). Meanwhile the batch stays leased in the spool, so a disconnect sends it again.
 * Never rejects.
 */
export async function deliverFrames(input: DeliverInput): Promise<SendResult> {
  const { frames, link, acks, sendOptions, clock } = input;
  if ('tooLarge' in frames) return { status: 'too_large', reason: frames.tooLarge };
  const startedAt = clock.monotonicNow();
  const state = await link.whenUsable(sendOptions.timeoutMs, sendOptions.signal);
  if (state === 'refused') return { status: 'unauthorized', reason: `device_auth refused: ${link.refusal() ?? 'unknown reason'}` };
  const conn = link.current();
  if (state !== 'ready' || !conn) {
    const reason = state === 'closed' ? 'the transport is closed' : sendOptions.signal?.aborted ? 'stopped' : `not connected within ${sendOptions.timeoutMs} ms`;
    return { status: 'retryable', reason };
  }
  const withAcks = conn.extensions.has('ack');
  // Without acks an `error` frame naming a trace id still settles it, so a refused point is
  // isolated as with acks; otherwise the pong does.
  const waits = frames.map((f) => acks.expect(f.traceId));
  for (const frame of frames) {
    const err = await conn.write(input.sign ? input.sign(frame.text) : frame.text);
    if (err) {
      for (const f of frames) acks.settle(f.traceId, { status: 'lost', reason: 'not written' });
      return { status: 'retryable', reason: `frame not written: ${err.message}` };
    }
  }
  // A ping follows the frames: its pong is their acknowledgement without acks, and with acks the
  // proof that the server is reading them at all.
  input.confirmations.written(conn, frames);
  // The pong wait is not shortened by time spent connecting: cut short, it would drop a live connection.
  const leftMs = Math.round(sendOptions.timeoutMs - (clock.monotonicNow() - startedAt));
  const waitMs = withAcks ? Math.max(1, Math.min(sendOptions.ackTimeoutMs, leftMs)) : sendOptions.ackTimeoutMs;
  const ids = frames.map((f) => f.traceId);
  const outcomes = await acks.all(ids, waits, waitMs, withAcks ? 'ack' : 'pong', sendOptions.signal);
  if (outcomes.some((o) => o.status === 'lost' && o.timedOut === true)) {
    // Every WebSocket server answers pings: silence means a half-open connection (a NAT that
    // forgot us, a pulled cable, a proxy swallowing traffic, a server process stopped). Reconnect
    // now; the batches stay spooled. Sending them again on the same connection would only queue
    // them behind the first copies, for the server to store twice if it ever reads on.
    if (!withAcks) conn.terminate(`no pong within ${waitMs} ms of a telemetry frame (half-open connection?)`);
    else if (waitMs === sendOptions.ackTimeoutMs && input.confirmations.unread(ids)) {
      conn.terminate(`neither an ack nor a pong within ${waitMs} ms of a telemetry frame (half-open connection, or the server stopped reading?)`);
    }
  }
  return resultOf(frames, outcomes);
}

function resultOf(frames: TelemetryFrame[], outcomes: AckOutcome[]): SendResult {
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.status !== 'error') continue;
    const frame = frames[i]!;
    const reason = `the server refused frame ${frame.traceId}: ${outcome.detail}`;
    if (outcome.code === 'too_large') return { status: 'too_large', reason };
    // A refused signature (or key) is not the data's fault: keep it spooled and probe slowly.
    if (outcome.code === 'unauthorized' || outcome.code === 'forbidden') return { status: 'unauthorized', reason };
    const match = /points\[(\d+)\]/.exec(outcome.detail);
    if (match) return { status: 'rejected', reason, index: frame.firstIndex + Number(match[1]) };
    if (outcome.code === 'invalid_telemetry' || outcome.code === 'bad_request') return { status: 'rejected', reason };
    return { status: 'server_error', reason, statusCode: 500 };
  }
  const lost = outcomes.find((o): o is Extract<AckOutcome, { status: 'lost' }> => o.status === 'lost');
  return lost ? { status: 'retryable', reason: lost.reason } : { status: 'success' };
}
