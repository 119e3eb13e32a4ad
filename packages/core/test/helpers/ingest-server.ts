import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request the test server received, decoded. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  /** Raw body size on the wire. */
  wireBytes: number;
  body: { source_id?: string; points: Array<Record<string, unknown>> };
  /** Common name of the client's certificate (HTTPS with `requestCert`). */
  clientCn?: string;
}

/** Decides the answer to a request; default: 200 success. */
export type Responder = (req: ReceivedRequest, res: ServerResponse, index: number) => void;

/** An ingest server on an OS-chosen port, for answer-policy tests: plain `http`, or `https` with `tls`. */
export async function startIngestServer(responder?: Responder, tls?: TlsServerOptions) {
  const requests: ReceivedRequest[] = [];
  let respond: Responder = responder ?? ok;
  const waiters: Array<() => void> = [];
  let clockProbes = 0;
  let connections = 0;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'HEAD') {
      // The sink's clock probe before its first batch: answered with the time, not recorded.
      clockProbes += 1;
      res.writeHead(200, { 'x-server-time-ms': String(Date.now()) }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      const received: ReceivedRequest = { headers: req.headers, wireBytes: raw.length, body: JSON.parse(text) };
      const peer = tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
      if (peer?.subject) received.clientCn = String(peer.subject.CN);
      requests.push(received);
      respond(received, res, requests.length - 1);
      for (const w of waiters.splice(0)) w();
    });
  };
  const server = tls ? createTlsServer(tls, handle) : createServer(handle);
  server.on(tls ? 'secureConnection' : 'connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/ingest`,
    requests,
    /** Connections accepted (TLS: handshakes completed). */
    connections: () => connections,
    /** HEAD requests (clock probes) answered so far. */
    clockProbes: () => clockProbes,
    setResponder(next: Responder) {
      respond = next;
    },
    /** Resolves once `predicate` holds, re-checked after every request. */
    async until(predicate: () => boolean): Promise<void> {
      while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers 200 like the gateway, with `server_time_ms`. */
export function ok(req: ReceivedRequest, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ success: true, count: req.body.points.length, server_time_ms: Date.now() }));
}

/** Answers `status` with a JSON error body and optional headers. */
export function fail(res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error }));
}
