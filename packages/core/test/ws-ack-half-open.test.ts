import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { captureLogger, metric, sinkAt } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;
const servers: WebSocketServer[] = [];

afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
});

/**
 * A server with the `ack` extension whose first connection goes silent after authenticating:
 * it reads every frame and answers nothing, neither acks nor pongs, as a gateway process that
 * was stopped (SIGSTOP) or a link gone half-open. Later connections ack every frame.
 */
async function silentThenAcking(): Promise<{ url: string; frames: Array<{ connection: number; traceId: string; values: unknown[] }> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
  servers.push(wss);
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const frames: Array<{ connection: number; traceId: string; values: unknown[] }> = [];
  let count = 0;
  wss.on('connection', (ws) => {
    const connection = ++count;
    const live = connection > 1;
    if (live) ws.on('ping', (data) => ws.pong(data));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type: string; trace_id?: string; source_id?: string; points?: Array<{ value: unknown }> };
      if (f.type === 'device_auth') ws.send(JSON.stringify({ type: 'authenticated', source_id: f.source_id, server_time_ms: Date.now(), extensions: ['ack'] }));
      if (f.type !== 'telemetry') return;
      frames.push({ connection, traceId: f.trace_id!, values: f.points!.map((p) => p.value) });
      if (live) ws.send(JSON.stringify({ type: 'ack', trace_id: f.trace_id }));
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/device`, frames };
}

describe('WebSocket sink with acks, on a half-open connection', () => {
  it('neither ack nor pong within ack_timeout_ms drops the connection at once; frames are not queued again behind the first copies', async () => {
    const server = await silentThenAcking();
    const { logger, lines } = captureLogger();
    // The heartbeat (which would find the dead link after twice heartbeat_ms) is out of the way.
    const s = sinkAt(server.url, { logger, batch: { maxPoints: 10, lingerMs: 5 }, websocket: { ackTimeoutMs: 300, heartbeatMs: 600_000 } });
    for (let i = 0; i < 50; i++) s.send('seq', i, { timestamp: T0 + i });
    await s.flush({ timeoutMs: 15_000 });

    const first = server.frames.filter((f) => f.connection === 1);
    const later = server.frames.filter((f) => f.connection > 1).flatMap((f) => f.values);
    expect(first.length).toBeGreaterThan(0);
    // Sent once on the silent connection: a copy queued behind the first would be stored twice.
    expect(new Set(first.map((f) => f.traceId)).size).toBe(first.length);
    expect(new Set(later).size).toBe(50);
    expect(s.status().spool.points).toBe(0);
    expect(lines().some((l) => /neither an ack nor a pong within 300 ms of a telemetry frame/.test(JSON.stringify(l)))).toBe(true);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_unconfirmed_total')).toBeGreaterThanOrEqual(first.length);
  });
});
