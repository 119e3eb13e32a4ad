import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Holds `server` to `max` connections without letting idle ones lock the probes out: a
 * connection past the cap closes the oldest one with no request in progress (one that never
 * sent a request, or a kept-alive one between requests), and is refused only when every held
 * connection is busy. (Refusing new connections at the cap, as `server.maxConnections` does,
 * let 64 idle connections, opened by anyone who reaches the port, fail `/healthz`, and with it
 * a liveness probe, for as long as they stayed open.)
 */
export function capConnections(server: Server, max: number): void {
  /** Held connections, oldest first, each with whether a request is in progress on it. */
  const held = new Map<Socket, { busy: boolean }>();
  server.on('connection', (socket: Socket) => {
    if (held.size >= max) {
      const idle = [...held].find(([, state]) => !state.busy)?.[0];
      if (idle === undefined) {
        socket.destroy();
        return;
      }
      held.delete(idle);
      idle.destroy();
    }
    held.set(socket, { busy: false });
    socket.once('close', () => held.delete(socket));
  });
  server.on('request', (req, res) => {
    const state = held.get(req.socket);
    if (state === undefined) return;
    state.busy = true;
    res.once('close', () => {
      state.busy = false;
    });
  });
}
