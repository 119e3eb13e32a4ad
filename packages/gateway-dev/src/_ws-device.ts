import { WebSocketServer } from 'ws';
import type { GatewayContext } from './_context.js';
import type { UpgradeHandler } from './_server.js';
import { acceptDevice, type DeviceConnection } from './_ws-connection.js';
import { GatewayError } from './errors.js';
import type { ControlMessage, ControlResult, DeviceInfo } from './types.js';

/** The path of the Plexus WebSocket device endpoint. */
export const DEVICE_PATH = '/ws/device';

/** The answer each control message type gets; others are confirmed with a ping. */
const REPLY_TYPES: Readonly<Record<string, string>> = {
  ping: 'pong',
  start_session: 'session_started',
  stop_session: 'session_stopped',
  configure: 'configure_result',
};

/** Every device connection, the source ids assigned, and control. */
export interface DeviceHub {
  readonly upgrade: UpgradeHandler;
  devices(): DeviceInfo[];
  sendControl(sourceId: string | undefined, message: ControlMessage, options?: { timeoutMs?: number }): Promise<ControlResult[]>;
  disconnect(sourceId?: string): number;
  /** Forgets source id assignments. */
  reset(): void;
  /**
   * Closes every connection with 1001 (going away), as a server that stops does, and drops those
   * that have not answered the close within `graceMs`.
   */
  close(graceMs?: number): Promise<void>;
}

/** How long a stopping gateway waits for devices to answer its close: they answer at once unless frozen. */
const CLOSE_GRACE_MS = 1000;

/** Creates the WebSocket side of the gateway (DESIGN section 3). */
export function createDeviceHub(ctx: GatewayContext): DeviceHub {
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false, maxPayload: ctx.options.wsMaxFrameBytes });
  const all = new Set<DeviceConnection>();
  const claims = new Map<string, string>();

  const hub = {
    ctx,
    claim(requested: string, installId: string | undefined): string {
      if (installId === undefined) return requested;
      let candidate = requested;
      for (let n = 2; claims.has(candidate) && claims.get(candidate) !== installId; n++) candidate = `${requested}-${n}`;
      claims.set(candidate, installId);
      return candidate;
    },
    authenticated(conn: DeviceConnection) {
      all.add(conn);
      ctx.observer.deviceConnected(conn.info()!);
    },
    closed(conn: DeviceConnection) {
      all.delete(conn);
      const info = conn.info();
      if (info !== undefined) ctx.observer.deviceClosed(info);
    },
  };

  const matching = (sourceId: string | undefined) =>
    [...all].filter((c) => {
      const info = c.info();
      return info !== undefined && (sourceId === undefined || info.sourceId === sourceId);
    });

  const control = async (conn: DeviceConnection, message: ControlMessage, timeoutMs: number): Promise<ControlResult> => {
    const sourceId = conn.info()!.sourceId;
    const replyType = REPLY_TYPES[message.type];
    const probe = replyType === undefined ? { type: 'ping', id: `confirm-${Math.random().toString(36).slice(2)}` } : undefined;
    const expected = replyType ?? 'pong';
    const id = probe?.id ?? message.id;
    const answer = conn.nextFrame(
      (f) => (f.type === expected && (id === undefined || f.id === undefined || f.id === id)) || (f.type === 'error' && f.in_reply_to === message.type),
      timeoutMs,
    );
    conn.send(message);
    ctx.observer.deviceFrame(sourceId, message, 'out');
    if (probe) {
      conn.send(probe);
      ctx.observer.deviceFrame(sourceId, probe, 'out');
    }
    const reply = await answer;
    return reply === undefined ? { sourceId, error: `no answer within ${timeoutMs} ms (or the device disconnected)` } : { sourceId, reply };
  };

  return {
    upgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => acceptDevice(ws, hub));
    },
    devices: () =>
      matching(undefined).map((c) => {
        const info = c.info()!;
        return { ...info, messages: info.messages.map((m) => ({ ...m })) };
      }),
    async sendControl(sourceId, message, options) {
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string' || message.type === '') {
        throw new GatewayError('CONTROL_INVALID', 'sendControl: the message must be an object with a string "type", e.g. {"type":"ping"}');
      }
      const targets = matching(sourceId);
      if (targets.length === 0) {
        throw new GatewayError('NO_DEVICE', sourceId === undefined ? 'sendControl: no device is connected' : `sendControl: no device ${sourceId} is connected`);
      }
      return Promise.all(targets.map((c) => control(c, message, options?.timeoutMs ?? 5000)));
    },
    disconnect(sourceId) {
      const targets = matching(sourceId);
      for (const c of targets) {
        all.delete(c);
        c.terminate();
      }
      return targets.length;
    },
    reset: () => claims.clear(),
    async close(graceMs = CLOSE_GRACE_MS) {
      const closing = [...wss.clients].map((client) => {
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        client.close(1001, 'gateway-dev is shutting down');
        return closed;
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closing), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const c of all) c.terminate();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
