import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import { SOURCE_ID_PATTERN } from '../point/point.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { Batch } from '../shared/batch.js';
import type { RetryOptions } from '../transport/retry-policy.js';
import type { TlsOptions } from '../transport/tls.js';
import { excerpt, redactUrl } from '../shared/text.js';
import type { ConnectionObserver, SendOptions, SendResult } from '../transport/transport.js';
import { createAckTracker } from './_acks.js';
import { createConfirmations } from './_confirm.js';
import { createControlHandler } from './_control-frames.js';
import { telemetryFrames } from './_frames.js';
import { loadDeviceIdentity, type DeviceIdentity } from './_identity.js';
import { createLink, describeError, type Connection, type Link } from './_link.js';
import { createWsMetrics, type WsDeliveryMode } from './_metrics.js';
import { deliverFrames } from './_send.js';
import { createTimeSync } from './_time-sync.js';
import { signFrame } from '../shared/signature.js';
import type { DeviceControl } from '../control/device-control.js';
import type { ServerFrame } from './protocol.js';

/** Resolved options of one WebSocket session. */
export interface WsSessionOptions {
  url: string;
  apiKey: string | undefined;
  signingSecret: string | undefined;
  tls: TlsOptions | undefined;
  sourceId: string;
  clock: Clock;
  stateDir: string | undefined;
  platform: string;
  agentVersion: string;
  heartbeatMs: number;
  timeSyncIntervalMs: number;
  maxFrameBytes: number;
  authTimeoutMs: number;
  retry: RetryOptions;
  control: DeviceControl | undefined;
  logger: Logger;
  problems: ProblemReporter;
  registry: Registry;
  random: (() => number) | undefined;
  connection: ConnectionObserver | undefined;
}

/** The device side of the protocol, everything but the {@link Transport} face. */
export interface WsSession {
  readonly identity: DeviceIdentity;
  readonly link: Link;
  mode(): WsDeliveryMode | undefined;
  send(batch: Batch, options: SendOptions & { ackTimeoutMs: number }): Promise<SendResult>;
  close(): Promise<void>;
}

/** Wires the link, the identity, acks, confirmations, time sync, control and heartbeats. */
export function createWsSession(o: WsSessionOptions): WsSession {
  const { clock, logger } = o;
  const identity = loadDeviceIdentity(o.stateDir, o.sourceId, logger);
  const metrics = createWsMetrics(o.registry);
  const acks = createAckTracker();
  const confirmations = createConfirmations(clock.monotonicNow);
  const timeSync = createTimeSync({ clock, logger, intervalMs: o.timeSyncIntervalMs });
  const control = createControlHandler({ control: o.control, logger, metrics });
  let mode: WsDeliveryMode | undefined;
  let warnedUnsigned = false;
  const sign = o.signingSecret === undefined ? undefined : (frame: string) => signFrame(o.signingSecret!, frame, clock.now());
  let closing: Promise<void> | undefined;

  const write = (conn: Connection, frame: Record<string, unknown>) => {
    void conn.write(JSON.stringify(frame)).then((err) => {
      if (err) logger.debug({ err, type: frame.type }, 'a frame could not be written; the connection is closing');
    });
  };

  const onReady = (conn: Connection, auth: { frame: ServerFrame; sentAtMs: number; receivedAtMs: number }) => {
    const f = auth.frame as { source_id?: unknown; server_time_ms?: unknown };
    if (typeof f.source_id === 'string' && SOURCE_ID_PATTERN.test(f.source_id)) identity.adopt(f.source_id);
    if (typeof f.server_time_ms === 'number' && Number.isFinite(f.server_time_ms)) {
      clock.addSample({ sentAtMs: auth.sentAtMs, receivedAtMs: auth.receivedAtMs, serverTimeMs: f.server_time_ms });
    }
    const next: WsDeliveryMode = conn.extensions.has('ack') ? 'at_least_once' : 'at_most_once_in_flight';
    if (next !== mode) {
      if (next === 'at_least_once') logger.info('the server acknowledges telemetry frames: delivery is at-least-once (a batch leaves the spool only on its ack)');
      else {
        logger.warn(
          'the server does not acknowledge telemetry frames: delivery is at-most-once for frames in flight ' +
            '(a frame written just before a disconnect can be lost; see fieldbridge_ws_frames_possibly_lost_total). Use HTTP ingest for at-least-once.',
        );
      }
    }
    mode = next;
    metrics.setMode(next);
    logger.info({ url: redactUrl(o.url), source_id: identity.sourceId(), install_id: identity.installId, extensions: [...conn.extensions] }, `connected to ${redactUrl(o.url)} as ${identity.sourceId()}`);
    if (conn.extensions.has('time_sync')) timeSync.start(conn);
    if (o.signingSecret !== undefined && !conn.extensions.has('signature') && !warnedUnsigned) {
      warnedUnsigned = true;
      logger.warn('the server does not announce the signature extension: telemetry frames are signed anyway, but it may not check them');
    }
    const session = control.sessionToAnnounce();
    if (session !== undefined) {
      control.announced(session);
      write(conn, { type: 'session_started', session_id: session, session_name: session });
    }
  };

  const onFrame = (conn: Connection, frame: ServerFrame) => {
    const f = frame as Record<string, unknown>;
    const traceId = typeof f.trace_id === 'string' ? f.trace_id : undefined;
    if (frame.type === 'ack') {
      if (traceId !== undefined) acks.settle(traceId, { status: 'acked' });
      return;
    }
    if (frame.type === 'time_sync') return timeSync.answer(frame);
    if (frame.type === 'error' && traceId !== undefined) {
      const code = typeof f.code === 'string' ? f.code : undefined;
      if (acks.settle(traceId, { status: 'error', code, detail: describeError(frame) })) {
        metrics.serverErrors.inc({ code: code !== undefined && /^[a-z0-9_]{1,32}$/i.test(code) ? code : 'other' });
        return;
      }
      if (mode === 'at_most_once_in_flight') {
        const id = excerpt(traceId, 64);
        logger.error({ trace_id: id }, `the server refused frame ${id} (${describeError(frame)}); without acks its points are lost`);
      }
    }
    if (control.handles(frame.type)) {
      void control.handle(frame, (answer) => write(conn, answer));
      return;
    }
    logger.debug({ type: frame.type }, 'ignoring a frame of an unknown type');
  };

  const link = createLink({
    url: o.url,
    tls: o.tls,
    secrets: [o.apiKey, o.signingSecret],
    clock,
    logger,
    problems: o.problems,
    metrics,
    retry: o.retry,
    authTimeoutMs: o.authTimeoutMs,
    random: o.random,
    connection: o.connection,
    authFrame: () =>
      JSON.stringify({
        type: 'device_auth',
        api_key: o.apiKey ?? '',
        source_id: identity.sourceId(),
        install_id: identity.installId,
        platform: o.platform,
        agent_version: o.agentVersion,
      }),
    onReady,
    onFrame,
    onPong: (_conn, data) => confirmations.pong(_conn, data),
    onDown(_conn, reason) {
      timeSync.stop();
      control.connectionEnded();
      acks.loseAll(`connection lost before the ack (${reason})`);
      const lost = confirmations.reset();
      if (mode === 'at_most_once_in_flight' && lost.frames > 0) {
        metrics.possiblyLostFrames.inc(lost.frames);
        metrics.possiblyLostPoints.inc(lost.points);
        logger.warn(
          { frames: lost.frames, points: lost.points, reason },
          `the connection dropped with ${lost.frames} frames (${lost.points} points) written but not confirmed by the server; without acks they may be lost`,
        );
      }
    },
  });

  const started = clock.monotonicNow();
  const heartbeat = setInterval(() => {
    const conn = link.current();
    if (!conn) return;
    if (confirmations.overdue(2 * o.heartbeatMs)) {
      conn.terminate(`no pong within ${2 * o.heartbeatMs} ms`);
      return;
    }
    write(conn, { type: 'heartbeat', uptime_s: Math.round((clock.monotonicNow() - started) / 1000) });
    confirmations.probe(conn);
  }, o.heartbeatMs);
  heartbeat.unref();

  return {
    identity,
    link,
    mode: () => mode,
    send: (batch, sendOptions) =>
      deliverFrames({ batch, link, acks, confirmations, sendOptions, clock, sign, frames: telemetryFrames(batch, o.maxFrameBytes) }),
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        timeSync.stop();
        control.connectionEnded();
        await link.close(2000);
        acks.loseAll('the transport closed');
      })();
      return closing;
    },
  };
}
