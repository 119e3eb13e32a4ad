import type { GatewayObserver, Refusal } from './_observer.js';
import { clockTime } from './_print.js';

/** The same refusal (how it came, its status, its source, its reason) is said at most once in this long. */
export const REFUSAL_REPEAT_MS = 60_000;
/** Refusals told apart; past this, the oldest is forgotten (a client cycling source ids stays bounded). */
const KINDS_KEPT = 1000;
const MAX_ERROR = 300;

/**
 * A reason with its numbers left out: `points[3].value ...` and `points[7].value ...` are one
 * refusal said once, while another reason from the same source (a missing key, then a wrong
 * one) is said at once rather than hidden behind the first for a minute.
 */
function reasonKind(error: string): string {
  return error.slice(0, MAX_ERROR).replace(/\d+/g, '#');
}

const VIA: Record<Refusal['via'], string> = { http: 'HTTP', ws: 'WebSocket', influx: 'Influx' };

/**
 * An observer that passes everything to `inner` and says each refused request or frame on
 * `stream` as one line, `12:00:01.123 refused HTTP 401: missing API key: ...`, the way the
 * stored points are printed: a sender with a wrong key otherwise sees its 401s while the
 * gateway's terminal says nothing. The same refusal again within {@link REFUSAL_REPEAT_MS} is
 * counted, and the count said with its next line.
 */
export function withRefusalLines(inner: GatewayObserver, stream: NodeJS.WritableStream, now: () => number): GatewayObserver {
  const seen = new Map<string, { saidAt: number; since: number }>();
  const say = (r: Refusal): void => {
    const key = `${r.via}\u0000${r.status}\u0000${r.sourceId ?? ''}\u0000${reasonKind(r.error)}`;
    const t = now();
    const last = seen.get(key);
    if (last !== undefined && t - last.saidAt < REFUSAL_REPEAT_MS) {
      last.since += 1;
      return;
    }
    seen.delete(key);
    if (seen.size >= KINDS_KEPT) seen.delete(seen.keys().next().value!);
    seen.set(key, { saidAt: t, since: 0 });
    const error = r.error.length > MAX_ERROR ? `${r.error.slice(0, MAX_ERROR - 1)}…` : r.error;
    const again = last !== undefined && last.since > 0 ? ` (and ${last.since} more like it in the last ${Math.round((t - last.saidAt) / 1000)} s)` : '';
    stream.write(`${clockTime(t)} refused ${VIA[r.via]} ${r.status}${r.sourceId === undefined ? '' : ` from ${r.sourceId}`}: ${error.replace(/[\r\n]+/g, ' ')}${again}\n`);
  };
  return {
    stored: (batch, via) => inner.stored(batch, via),
    refused(refusal) {
      say(refusal);
      inner.refused(refusal);
    },
    deviceConnected: (device) => inner.deviceConnected(device),
    deviceClosed: (device) => inner.deviceClosed(device),
    deviceRefused(sourceId, code, message) {
      say({ via: 'ws', status: code, error: message, sourceId });
      inner.deviceRefused(sourceId, code, message);
    },
    deviceFrame: (sourceId, frame, dir) => inner.deviceFrame(sourceId, frame, dir),
  };
}
