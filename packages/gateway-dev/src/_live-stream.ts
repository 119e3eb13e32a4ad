import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue, sendJson } from './_context.js';
import { createReplayRing } from './_live-ring.js';
import type { LiveState } from './_live-state.js';
import { counted } from './_plural.js';

/** What the stream needs, with defaults filled in (see `LiveOptions`). */
export interface LiveStreamOptions {
  state: LiveState;
  intervalMs: number;
  clientBufferBytes: number;
  maxClients: number;
  replayEvents: number;
  replayBytes: number;
  /** The id the stream starts at (the gateway's start time in ms). */
  firstId: number;
}

/** The Server-Sent Events side of the live page: clients, coalescing ticks, replay. */
export interface LiveStream {
  /** Serves `GET /_dev/live`, resuming after `Last-Event-ID` (header, or `lastEventId` query parameter). */
  connect(req: IncomingMessage, res: ServerResponse, url: URL): void;
  /** The id of the newest event: the state `LiveState.snapshot()` and `history()` show. */
  lastId(): number;
  counts(): { clients: number; droppedClients: number };
  /** Closes every client's connection at once (they reconnect and resume). Returns how many. */
  disconnectAll(): number;
  /** Forgets the state and the replay ring; every client gets a fresh (empty) snapshot. */
  reset(): void;
  /** Stops the timers; the server closes the connections. */
  close(): void;
}

interface Client {
  res: ServerResponse;
  /** Bytes the process may hold for it before it is dropped. */
  bound: number;
}

/** How long a browser waits before reconnecting, sent as the stream's `retry`. */
const RETRY_MS = 1000;
/** A comment this often keeps idle connections (and proxies) open. */
const KEEP_ALIVE_MS = 15_000;

const frame = (event: string, id: number, data: unknown): string => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function lastEventIdOf(req: IncomingMessage, url: URL): number | undefined {
  const raw = headerValue(req, 'last-event-id') ?? url.searchParams.get('lastEventId') ?? '';
  return /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/**
 * Creates the stream. Every `intervalMs` the state's changes become one `update` event, kept
 * in the replay ring and written to every client, so however fast points arrive a client gets
 * at most one event per interval. A client that resumes within the ring gets the events it
 * missed; one too far behind (or new) gets a `snapshot`. A client whose unsent data is still
 * over `clientBufferBytes` when the next event comes is dropped (so at most that plus one event
 * is held for it); its browser reconnects and resumes.
 */
export function createLiveStream(o: LiveStreamOptions): LiveStream {
  const ring = createReplayRing(o.firstId, o.replayEvents, o.replayBytes);
  const clients = new Set<Client>();
  let droppedClients = 0;

  const drop = (c: Client): void => {
    clients.delete(c);
    droppedClients += 1;
    // A reset, not a FIN: the kernel must not keep trying to deliver what the client does not read.
    c.res.socket?.resetAndDestroy();
  };
  /** A client still holding more than its bound unsent when the next event comes is too slow. */
  const write = (c: Client, text: string): void => {
    if (c.res.writableLength > c.bound) drop(c);
    else c.res.write(text);
  };
  const tick = (): void => {
    const update = o.state.commit();
    if (update === undefined) return;
    const text = frame('update', ring.lastId() + 1, update);
    ring.push(text);
    for (const c of clients) write(c, text);
  };
  const ticker = setInterval(tick, o.intervalMs);
  ticker.unref();
  const keepAlive = setInterval(() => {
    for (const c of clients) write(c, ': keep-alive\n\n');
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  return {
    connect(req, res, url) {
      if (clients.size >= o.maxClients) {
        sendJson(res, 503, { error: `the live stream already has ${counted(o.maxClients, 'client')}: close a page and retry` }, { 'retry-after': '5' });
        return;
      }
      const resumeAfter = lastEventIdOf(req, url);
      const missed = resumeAfter === undefined ? undefined : ring.since(resumeAfter, o.clientBufferBytes / 2);
      const initial = `retry: ${RETRY_MS}\n\n${missed?.join('') ?? frame('snapshot', ring.lastId(), o.state.snapshot())}`;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      res.socket?.setNoDelay(true);
      const client: Client = { res, bound: Math.max(o.clientBufferBytes, 2 * Buffer.byteLength(initial)) };
      res.write(initial);
      clients.add(client);
      res.on('close', () => clients.delete(client));
    },
    lastId: () => ring.lastId(),
    counts: () => ({ clients: clients.size, droppedClients }),
    disconnectAll() {
      const all = [...clients];
      clients.clear();
      for (const c of all) c.res.socket?.destroy();
      return all.length;
    },
    reset() {
      o.state.reset();
      ring.clear(ring.lastId() + 1);
      const text = frame('snapshot', ring.lastId(), o.state.snapshot());
      for (const c of clients) write(c, text);
    },
    close() {
      clearInterval(ticker);
      clearInterval(keepAlive);
      clients.clear();
    },
  };
}
