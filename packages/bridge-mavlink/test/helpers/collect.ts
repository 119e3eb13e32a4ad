import type { DecodedMessage, LinkChunk, LinkClientEvent, LinkHandlers, LinkState, MavlinkReader, ReadResult, VehicleEvent } from '../../src/index.js';
import type { ParseProblem } from '../../src/index.js';
import { createWaiters } from './waiters.js';

/**
 * Link handlers that feed a reader and keep everything it gives, with a way to wait for a
 * condition: checked after every chunk and state change, so tests wait for what happens, not
 * for time to pass.
 */
export interface Collected {
  handlers: LinkHandlers;
  messages: DecodedMessage[];
  events: VehicleEvent[];
  problems: ParseProblem[];
  states: { state: LinkState; detail?: string }[];
  chunks: LinkChunk[];
  /** Clients that came and went (tcpin). */
  clients: LinkClientEvent[];
  /** Resolves when `predicate` holds; rejects with `what` after `timeoutMs` (a safety net, not a sync point). */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

export function collect(reader: MavlinkReader, now: () => number = Date.now): Collected {
  const { notify, until } = createWaiters();
  const out: Collected = {
    messages: [],
    events: [],
    problems: [],
    states: [],
    chunks: [],
    clients: [],
    handlers: {
      data(chunk) {
        out.chunks.push(chunk);
        const r: ReadResult = reader.read(chunk.bytes, chunk.recordedAtMs ?? now(), { datagram: chunk.datagram, stream: chunk.stream });
        out.messages.push(...r.messages);
        out.events.push(...r.events);
        out.problems.push(...r.problems);
        notify();
      },
      client(event) {
        out.clients.push(event);
        // As the source does: a client that left ends its stream, and what it held is settled.
        if (event.kind === 'disconnected' && event.stream !== undefined) {
          const r = reader.end(now(), event.stream);
          out.messages.push(...r.messages);
          out.events.push(...r.events);
          out.problems.push(...r.problems);
        }
        notify();
      },
      state(state, detail) {
        out.states.push(detail === undefined ? { state } : { state, detail });
        if (state === 'reconnecting' || state === 'closed' || state === 'ended') {
          const r = reader.end(now());
          out.messages.push(...r.messages);
          out.events.push(...r.events);
          out.problems.push(...r.problems);
        }
        notify();
      },
    },
    until,
  };
  return out;
}
