import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { messageOf, sendJson } from './_context.js';
import type { Route } from './_context.js';

/**
 * Takes over an HTTP upgrade (WebSocket) on one path. The Plexus device protocol on
 * `/ws/device` plugs in here.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface HttpServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<number>;
  /** Stops listening and destroys every open socket, upgraded ones included. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  routes: readonly Route[];
  upgrades?: ReadonlyMap<string, UpgradeHandler>;
  /** True once the gateway is closing: failures then just end the connection. */
  closing: () => boolean;
}

function pathOf(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://gateway.invalid');
}

/** An HTTP server that dispatches by exact path, then method (404, then 405 with `Allow`). */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const routes = new Map(options.routes.map((r) => [r.path, r]));
  const sockets = new Set<Duplex>();
  const server = createServer();

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    const url = pathOf(req);
    const route = routes.get(url.pathname);
    if (route === undefined) return sendJson(res, 404, { error: `no route for ${url.pathname}` });
    const handler = route.methods[req.method ?? ''];
    if (handler === undefined) {
      const allow = Object.keys(route.methods).join(', ');
      return sendJson(res, 405, { error: `${req.method ?? '?'} is not allowed on ${url.pathname}; use ${allow}` }, { allow });
    }
    void handler(req, res, url).catch((err: unknown) => {
      if (options.closing() || res.headersSent) {
        req.socket.destroy();
        return;
      }
      sendJson(res, 500, { error: `gateway-dev failed: ${messageOf(err)}` });
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A device reconnecting while the gateway says goodbye to the others finds it gone.
    if (options.closing()) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const handler = options.upgrades?.get(pathOf(req).pathname);
    if (handler !== undefined) return handler(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address !== null ? address.port : port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
  };
}
