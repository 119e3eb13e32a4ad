import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { capConnections } from './_connection-cap.js';

/** What `/readyz` reports. */
export interface Readiness {
  ready: boolean;
  /** Shown in the `/readyz` body, e.g. each channel's state and the sink's. */
  details: Record<string, unknown>;
}

/** Connections the observe server holds open at most (see {@link capConnections}). */
export const MAX_CONNECTIONS = 64;

/** Options of {@link startObserveServer}. */
export interface ObserveServerOptions {
  /** `host:port`; port 0 picks a free one. */
  listen: string;
  /** The registry to serve on `/metrics` (a function, so a reload can swap it). */
  registry: () => Registry;
  /** Readiness, evaluated on each `/readyz`. */
  readiness: () => Readiness;
}

/** A running observe server. */
export interface ObserveServer {
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (liveness: the process answers), `/readyz` (200 when the source is
 * connected and the sink is not refusing data, else 503, with details as JSON) and `/metrics`
 * (Prometheus text format). At most {@link MAX_CONNECTIONS} connections at once (a new one
 * closes the oldest idle one), each request answered or dropped within 10 s.
 */
export async function startObserveServer(options: ObserveServerOptions): Promise<ObserveServer> {
  const { host, port } = splitHostPort(options.listen);
  // Idle connections are checked every second, not every 30 s: a connection that sends no request is closed within the headers timeout.
  const server: Server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const r = options.readiness();
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: r.ready, ...r.details }));
    } else if (path === '/metrics') {
      const registry = options.registry();
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
    }
  });
  // A scraper needs a handful of connections; a flood must neither exhaust the process nor lock the probes out.
  capConnections(server, MAX_CONNECTIONS);
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}
