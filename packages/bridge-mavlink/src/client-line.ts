import type { LinkClientEvent } from './link.js';

/**
 * What a client of a `tcpin://` link coming, going or being turned away is said as, in a run's
 * log and a scan's: `tcp:10.0.0.2:40112 connected (2 clients connected)`.
 */
export function clientLine(event: LinkClientEvent): string {
  const clients = `${event.clients} client${event.clients === 1 ? '' : 's'} connected`;
  if (event.kind === 'connected') return `${event.peer} connected (${clients})`;
  if (event.kind === 'disconnected') return `${event.peer} disconnected: ${event.reason ?? 'closed'} (${clients})`;
  return `refused ${event.peer}: ${clients}, the most it serves; close a client it does not need (a second router or ground station)`;
}
