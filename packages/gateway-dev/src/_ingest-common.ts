import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { GatewayContext } from './_context.js';
import type { LiveVia } from './live-types.js';

/** Answers one ingest request in the route's error format and counts the status. */
export type Reply = (status: number, message: string, headers?: OutgoingHttpHeaders) => void;

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** Checks a presented key: unknown or missing -> 401, read-only -> 403. */
export function authorize(ctx: GatewayContext, key: string | undefined, header: string): AuthResult {
  if (key === undefined || key === '') return { ok: false, status: 401, message: `missing API key: send it in ${header}` };
  if (ctx.options.apiKeys.has(key)) return { ok: true };
  if (ctx.options.readOnlyKeys.has(key)) {
    return { ok: false, status: 403, message: 'this API key lacks write scope: use a key with write access' };
  }
  return { ok: false, status: 401, message: 'invalid API key' };
}

/**
 * Applies the fault plan to one ingest request. Resolves true when the fault answered (or
 * dropped) the request, false when the request goes on normally (possibly after a delay).
 */
export async function applyFault(ctx: GatewayContext, req: IncomingMessage, reply: Reply, via: LiveVia): Promise<boolean> {
  const action = ctx.faults.next();
  if (action === undefined) return false;
  if (action.delayMs > 0) await delay(action.delayMs, undefined, { signal: ctx.signal });
  if (action.drop) {
    ctx.store.countStatus('dropped');
    ctx.observer.refused({ via, status: 'dropped', error: 'connection dropped by the fault plan' });
    req.socket.destroy();
    return true;
  }
  if (action.status === undefined) return false;
  const headers: OutgoingHttpHeaders = action.retryAfter === undefined ? {} : { 'retry-after': action.retryAfter };
  reply(action.status, `fault injected by gateway-dev: status ${action.status}`, headers);
  return true;
}

/** True when the request declares a JSON body, or no content type at all. */
export function isJsonContent(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (type === undefined) return true;
  const media = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media.endsWith('+json');
}
