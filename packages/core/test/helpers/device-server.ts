import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';

/** One telemetry frame as a {@link DeviceServer} received it. */
export interface ReceivedFrame {
  /** 1 for the first connection, 2 for the next, ... */
  connection: number;
  traceId: string;
  points: Array<{ metric: string; value: unknown }>;
}

/** Options of {@link startDeviceServer}. */
export interface DeviceServerOptions {
  /** Answer pings on this connection? Default: yes (every WebSocket server does). */
  pongs?(connection: number): boolean;
  /** Holds every pong until this many telemetry frames arrived (then answers all, in order). */
  holdPongsUntilFrames?: number;
  /** Handles a telemetry frame; returns false to refuse it (nothing kept). Default: keep it. */
  telemetry?(frame: ReceivedFrame, reply: (frame: Record<string, unknown>) => void): boolean;
}

/** A hand-written Plexus-like device endpoint without the `ack` extension, as the real gateway. */
export interface DeviceServer {
  url: string;
  /** Telemetry frames kept, in arrival order. */
  frames: ReceivedFrame[];
  connections(): number;
  /** Sends a frame to every open connection. */
  broadcast(frame: Record<string, unknown>): void;
}

const servers: WebSocketServer[] = [];

afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
});

/** Starts a {@link DeviceServer} on a loopback port chosen by the OS, closed after the test. */
export async function startDeviceServer(o: DeviceServerOptions = {}): Promise<DeviceServer> {
  // autoPong off: pongs are answered (or not) below, after the frames before them were handled.
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
  servers.push(wss);
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const frames: ReceivedFrame[] = [];
  const open = new Set<WebSocket>();
  let count = 0;
  wss.on('connection', (ws) => {
    const connection = ++count;
    open.add(ws);
    ws.on('close', () => open.delete(ws));
    const reply = (frame: Record<string, unknown>) => ws.send(JSON.stringify(frame));
    const held: Buffer[] = [];
    const release = () => {
      if (frames.length < (o.holdPongsUntilFrames ?? 0)) return;
      for (const data of held.splice(0)) ws.pong(data);
    };
    ws.on('ping', (data) => {
      if (!(o.pongs?.(connection) ?? true)) return;
      held.push(data);
      release();
    });
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Record<string, unknown>;
      if (f.type === 'device_auth') reply({ type: 'authenticated', source_id: f.source_id, server_time_ms: Date.now() });
      if (f.type !== 'telemetry') return;
      const frame = { connection, traceId: f.trace_id as string, points: f.points as ReceivedFrame['points'] };
      if (o.telemetry?.(frame, reply) ?? true) frames.push(frame);
      release();
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/device`,
    frames,
    connections: () => count,
    broadcast: (frame) => {
      for (const ws of open) ws.send(JSON.stringify(frame));
    },
  };
}
