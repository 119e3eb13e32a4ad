import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FaultInjector } from './_faults.js';
import type { GatewayObserver } from './_observer.js';
import type { ResolvedOptions } from './_options.js';
import type { Store } from './_store.js';

/** What every route and the WebSocket device side share. */
export interface GatewayContext {
  readonly options: ResolvedOptions;
  readonly store: Store;
  readonly faults: FaultInjector;
  /** Told what is stored, refused, connected: the live page's feed (a no-op without it). */
  readonly observer: GatewayObserver;
  /** The server clock in epoch ms. */
  clockNow(): number;
  /** Aborted by `close()`: cancels pending fault delays. */
  readonly signal: AbortSignal;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** One path and its handlers by method (`GET`, `POST`, ...). */
export interface Route {
  path: string;
  methods: Partial<Record<string, RouteHandler>>;
}

/** Sends a JSON answer (or no body for 204). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

/** A header's single value; repeated headers count as absent-or-first. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An error message from anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
