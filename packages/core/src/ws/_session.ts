import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import { SOURCE_ID_PATTERN } from '../point/point.js';
import type { ProblemReporter } from '../shared/problems.js';
import type { Batch } from '../shared/batch.js';
import type { RetryOptions } from '../transport/retry-policy.js';
import type { TlsOptions } from '../transport/tls.js';
import type { ProxyTarget } from '../transport/proxy-env.js';
import { redactUrl, urlSecrets } from '../shared/text.js';
import type { ConnectionObserver, SendOptions, SendResult } from '../transport/transport.js';
import { createAckTracker } from './_acks.js';
import { createConfirmations } from './_confirm.js';
import { createControlHandler } from './_control-frames.js';
import { telemetryFrames } from './_frames.js';
import { loadDeviceIdentity, type DeviceIdentity } from './_identity.js';
import { createLink, type Connection, type Link } from './_link.js';
import { createWsMetrics, type WsDeliveryMode } from './_metrics.js';
import { deliverFrames } from './_send.js';
import { createServerErrors } from './_server-errors.js';
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
  proxy: ProxyTarget | undefined;
  sourceId: string;
  clock: Clock;
  stateDir: string | undefined;
  /** `device.json` is read, never written (`WsTransportOptions.stateReadOnly`). */
  stateReadOnly: boolean;
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
  const identity = loadDeviceIdentity(o.stateDir, o.sourceId, logger, o.stateReadOnly);
  const metrics = createWsMetrics(o.registry);
  const acks = createAckTracker();
  const confirmations = createConfirmations(clock.monotonicNow);
  const timeSync = createTimeSync({ clock, logger, intervalMs: o.timeSyncIntervalMs });
  const control = createControlHandler({ control: o.control, logger, problems: o.problems, metrics });
  const serverErrors = createServerErrors({ acks, confirmations, metrics, problems: o.problems });
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
    const next: WsDeliveryMode = conn.extensions.has('ack') ? 'at_least_once' : 'at_least_once_read';
    if (next !== mode) {
      if (next === 'at_least_once') logger.info('the server acknowledges telemetry frames: delivery is at-least-once (a batch leaves the spool only on its ack)');
      else {
        logger.info(
          'the server does not acknowledge telemetry frames: a batch leaves the spool once the pong after its frames proves the server read them ' +
            '(at-least-once up to the server reading them; a server that reads a frame and fails to store it without an error frame loses it)',
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
    if (frame.type === 'ack') {
      if (typeof f.trace_id !== 'string') return;
      confirmations.settle([f.trace_id]);
      if (acks.settle(f.trace_id, { status: 'acked' })) serverErrors.recovered();
      return;
    }
    if (frame.type === 'time_sync') return timeSync.answer(frame);
    if (frame.type === 'error') {
      metrics.control.inc({ type: 'error' });
      return serverErrors.handle(frame);
    }
    if (control.handles(frame.type)) {
      void control.handle(frame, (answer) => write(conn, answer));
      return;
    }
    // A second `authenticated` needs no answer.
    if (frame.type === 'authenticated') return;
    control.unknown(frame, (answer) => write(conn, answer));
  };

  const onPong = (conn: Connection, data: Buffer) => {
    const read = confirmations.pong(data);
    // With acks the pong proves only that the server is reading (the liveness check of a send).
    if (conn.extensions.has('ack')) return;
    // Without, it is the acknowledgement of every frame written before its ping.
    confirmations.settle(read);
    for (const traceId of read) acks.settle(traceId, { status: 'acked' });
    if (read.length > 0) serverErrors.recovered();
  };

  const link = createLink({
    url: o.url,
    tls: o.tls,
    proxy: o.proxy,
    secrets: [o.apiKey, o.signingSecret, ...urlSecrets(o.url)],
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
    onPong,
    onDown(_conn, reason) {
      timeSync.stop();
      control.connectionEnded();
      acks.loseAll(`connection lost before the ${mode === 'at_least_once' ? 'ack' : 'pong'} (${reason})`);
      const left = confirmations.reset();
      if (left.frames > 0) {
        metrics.unconfirmedFrames.inc(left.frames);
        metrics.unconfirmedPoints.inc(left.points);
        logger.info(
          { frames: left.frames, points: left.points, reason },
          `the connection dropped with ${left.frames} frames (${left.points} points) not yet confirmed by the server; ` +
            'their batches stay in the spool and are sent again (the server may receive some twice, with the same trace_id)',
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
    // No write reached the socket, so no ping left and no pong deadline runs: a peer that stopped
    // reading, or a half-open link that filled our send buffer (TCP may take 15 minutes to give up).
    const stalledMs = conn.writeStalledMs();
    if (stalledMs > 2 * o.heartbeatMs) {
      conn.terminate(`nothing could be written to the connection for ${stalledMs} ms (the server stopped reading, or the link is half-open)`);
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
