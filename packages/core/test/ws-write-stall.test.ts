import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { connection } from '../src/ws/_link.js';

// A peer that stops reading leaves our writes waiting in buffers: no send callback fires, no ping
// leaves, so no pong deadline starts. The connection measures that wait so the heartbeat can drop it.
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function socketPair(): Promise<WebSocket> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  closers.push(() => {
    client.terminate();
    server.close();
    for (const peer of server.clients) peer.terminate();
  });
  await once(client, 'open');
  return client;
}

describe('a connection whose writes cannot reach the socket', () => {
  it('reports how long its writes have waited without progress, and 0 once they leave', async () => {
    const ws = await socketPair();
    let now = 1000;
    const conn = connection(ws, 1, new Set(), () => undefined, () => now);
    expect(conn.writeStalledMs()).toBe(0);
    // Corked, the socket holds every write in its own buffer and calls back on none: as when the
    // kernel's send buffer is full behind a shut TCP window.
    const socket = (ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    const first = conn.write('{"type":"telemetry"}');
    now = 1500;
    let pinged = false;
    conn.ping(Buffer.alloc(8), () => (pinged = true));
    now = 4000;
    expect(conn.writeStalledMs()).toBe(3000);
    socket.uncork();
    expect(await first).toBeUndefined();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(pinged).toBe(true);
    expect(conn.writeStalledMs()).toBe(0);
  });

  it('measures from when writes began waiting, not from the last write long before on an idle connection', async () => {
    const ws = await socketPair();
    let now = 0;
    const conn = connection(ws, 1, new Set(), () => undefined, () => now);
    const socket = (ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    const first = conn.write('a');
    now = 100;
    socket.uncork();
    await first;
    socket.cork();
    now = 200;
    void conn.write('b');
    now = 700;
    expect(conn.writeStalledMs()).toBe(500);
    socket.uncork();
  });

  it('a write on a closed connection fails at once and leaves nothing waiting', async () => {
    const ws = await socketPair();
    const conn = connection(ws, 1, new Set(), () => undefined, () => 0);
    ws.terminate();
    await once(ws, 'close');
    expect(await conn.write('x')).toBeInstanceOf(Error);
    expect(conn.writeStalledMs()).toBe(0);
  });
});
