import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { messageOf } from './_context.js';
import type { GatewayContext } from './_context.js';
import { createDelayQueue } from './_delay-queue.js';
import { authorize } from './_ingest-common.js';
import { checkFrameSignature } from './_signature.js';
import { handleTelemetry } from './_ws-telemetry.js';
import { sourceIdProblem } from './_validate-point.js';
import type { DeviceInfo } from './types.js';

/** What a connection needs from the hub. */
export interface ConnectionHub {
  ctx: GatewayContext;
  /** Assigns a source id: the requested one, or it with a suffix when another install holds it. */
  claim(requested: string, installId: string | undefined): string;
  authenticated(conn: DeviceConnection): void;
  closed(conn: DeviceConnection): void;
}

/** One device's WebSocket. */
export interface DeviceConnection {
  /** Undefined until `device_auth` succeeded. */
  info(): DeviceInfo | undefined;
  /** Sends a frame (after the `toDevice` delay). */
  send(frame: Record<string, unknown>): void;
  /** Resolves with the first frame from the device that `match` accepts, or undefined at the timeout or disconnect. */
  nextFrame(match: (frame: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown> | undefined>;
  /** Drops the connection without a close handshake; delayed frames are lost. */
  terminate(): void;
}

const AUTH_TIMEOUT_MS = 10_000;
const MAX_MESSAGES = 100;

/** Serves the device protocol (DESIGN section 3) on one accepted WebSocket. */
export function acceptDevice(ws: WebSocket, hub: ConnectionHub): DeviceConnection {
  const { ctx } = hub;
  const mono = () => performance.now();
  const inbound = createDelayQueue(() => ctx.options.wsDelayMs.toServer, mono);
  const outbound = createDelayQueue(() => ctx.options.wsDelayMs.toDevice, mono);
  let info: DeviceInfo | undefined;
  let waiters: Array<{ match: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown> | undefined) => void }> = [];

  const send = (frame: Record<string, unknown>): void => {
    const text = JSON.stringify(frame);
    outbound.push(() => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    });
  };
  /** Refuses the device before it is authenticated; `named` is the valid source id it asked for. */
  const refuse = (code: string, message: string, named?: string): void => {
    ctx.observer.deviceRefused(named, code, message);
    send({ type: 'error', code, message });
    outbound.push(() => ws.close(1008, code));
  };
  const authTimer = setTimeout(() => refuse('auth_timeout', `no device_auth within ${AUTH_TIMEOUT_MS} ms`), AUTH_TIMEOUT_MS);

  const authenticate = (f: Record<string, unknown>): void => {
    clearTimeout(authTimer);
    const key = typeof f.api_key === 'string' ? f.api_key : undefined;
    const auth = authorize(ctx, key, 'device_auth.api_key');
    const problem = sourceIdProblem(f.source_id);
    if (!auth.ok) {
      return refuse(auth.status === 401 ? 'unauthorized' : 'forbidden', auth.message, problem === undefined ? (f.source_id as string) : undefined);
    }
    if (problem !== undefined) return refuse('bad_request', `device_auth.source_id ${problem}`);
    const requested = f.source_id as string;
    const installId = typeof f.install_id === 'string' && f.install_id !== '' ? f.install_id : undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    info = {
      sourceId: hub.claim(requested, installId),
      requestedSourceId: requested,
      installId,
      platform: text(f.platform),
      agentVersion: text(f.agent_version),
      connectedAtMs: ctx.clockNow(),
      telemetryFrames: 0,
      points: 0,
      heartbeats: 0,
      timeSyncs: 0,
      messages: [],
    };
    const extensions = [...(ctx.options.wsAck ? ['ack'] : []), ...(ctx.options.wsTimeSync ? ['time_sync'] : []), ...(ctx.options.signingSecret === undefined ? [] : ['signature'])];
    send({ type: 'authenticated', source_id: info.sourceId, server_time_ms: ctx.clockNow(), extensions });
    hub.authenticated(conn);
  };

  /** A telemetry frame's signature, checked on its text as received; a refusal is answered and counted. */
  const signatureHolds = (device: DeviceInfo, f: Record<string, unknown>, text: string): boolean => {
    const check = checkFrameSignature(text, { secret: ctx.options.signingSecret!, nowMs: ctx.clockNow(), toleranceS: ctx.options.signatureToleranceS });
    if (check.ok) return true;
    ctx.store.countSignatureRefusal(check.reason);
    ctx.observer.refused({ via: 'ws', status: 'unauthorized', error: check.message, sourceId: device.sourceId });
    const traceId = typeof f.trace_id === 'string' && f.trace_id !== '' ? f.trace_id : undefined;
    send({ type: 'error', code: 'unauthorized', status: 401, detail: check.message, ...(traceId === undefined ? {} : { trace_id: traceId }) });
    return false;
  };

  const handle = (data: Buffer, isBinary: boolean): void => {
    let f: Record<string, unknown> | undefined;
    try {
      const value: unknown = isBinary ? undefined : JSON.parse(data.toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string') {
        f = value as Record<string, unknown>;
      }
    } catch (err) {
      send({ type: 'error', code: 'bad_request', message: `frame is not valid JSON: ${messageOf(err)}` });
      return;
    }
    if (f === undefined) return send({ type: 'error', code: 'bad_request', message: 'frames must be JSON text objects with a string "type"' });
    if (info === undefined) {
      if (f.type === 'device_auth') return authenticate(f);
      return refuse('not_authenticated', 'send device_auth first');
    }
    // A connection authenticates once: a second device_auth is a device bug, not a message to keep.
    if (f.type === 'device_auth') {
      return send({ type: 'error', code: 'bad_request', message: `already authenticated as ${info.sourceId}: a connection sends device_auth once; reconnect to authenticate again`, in_reply_to: 'device_auth' });
    }
    if (f.type === 'telemetry') {
      if (ctx.options.signingSecret !== undefined && !signatureHolds(info, f, data.toString('utf8'))) return;
      return handleTelemetry(ctx, info, f, send);
    }
    info.messages.push({ receivedAtMs: ctx.clockNow(), frame: f });
    ctx.observer.deviceFrame(info.sourceId, f, 'in');
    if (info.messages.length > MAX_MESSAGES) info.messages.shift();
    for (const w of waiters) {
      if (w.match(f)) {
        waiters = waiters.filter((x) => x !== w);
        w.resolve(f);
        break;
      }
    }
    if (f.type === 'heartbeat') {
      info.heartbeats += 1;
      info.lastHeartbeatAtMs = ctx.clockNow();
      if (typeof f.uptime_s === 'number') info.uptimeS = f.uptime_s;
    } else if (f.type === 'time_sync' && ctx.options.wsTimeSync) {
      info.timeSyncs += 1;
      const t1 = ctx.clockNow();
      send({ type: 'time_sync', t0: f.t0, t1, t2: ctx.clockNow() });
    } else if (!['pong', 'session_started', 'session_stopped', 'configure_result', 'error'].includes(f.type as string)) {
      send({ type: 'error', code: 'unknown_type', message: `unknown message type ${JSON.stringify(f.type)}` });
    }
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => inbound.push(() => handle(data, isBinary)));
  // Pongs go through both queues, so a pong confirms only frames this side has handled.
  ws.on('ping', (data: Buffer) => inbound.push(() => outbound.push(() => ws.readyState === ws.OPEN && ws.pong(data))));
  ws.on('error', () => ws.terminate());
  // Frames already received (still delayed by toServer) are handled after a close, as a real
  // server would have read them; only terminate() (a simulated network failure) loses them.
  ws.on('close', () => {
    clearTimeout(authTimer);
    outbound.clear();
    for (const w of waiters) w.resolve(undefined);
    waiters = [];
    hub.closed(conn);
  });

  const conn: DeviceConnection = {
    info: () => info,
    send,
    nextFrame(match, timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          resolve(undefined);
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (f: Record<string, unknown> | undefined) => {
            clearTimeout(timer);
            resolve(f);
          },
        };
        waiters.push(waiter);
      });
    },
    terminate() {
      inbound.clear();
      outbound.clear();
      ws.terminate();
    },
  };
  return conn;
}
