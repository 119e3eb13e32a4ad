import { request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { afterEach } from 'vitest';
import type { Gateway, LiveSnapshot, LiveUpdate } from '../src/index.js';

/** One Server-Sent Event as it arrived. */
export interface SseEvent {
  id: number | undefined;
  event: string;
  data: unknown;
}

export interface SseSnapshot extends SseEvent {
  event: 'snapshot';
  data: LiveSnapshot;
}

export interface SseUpdate extends SseEvent {
  event: 'update';
  data: LiveUpdate;
}

/** A reader of `GET /_dev/live` over a real socket, keeping every event in order. */
export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  /** `retry:` values and comment lines seen. */
  retry: number | undefined;
  comments: string[];
  /** Resolves with the first event (from index `from` on) that `match` accepts; rejects when the stream ends first. */
  next(match: (e: SseEvent) => boolean, from?: number): Promise<SseEvent>;
  /** Resolves when the connection is gone. */
  ended: Promise<void>;
  close(): void;
}

const open: ClientRequest[] = [];
afterEach(() => {
  for (const req of open.splice(0)) req.destroy();
});

/** Parses one event block (the text between blank lines). */
function parseBlock(block: string, client: SseClient): void {
  let id: number | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) id = Number(line.slice(4));
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('retry: ')) client.retry = Number(line.slice(7));
  }
  if (data.length > 0) client.events.push({ id, event, data: JSON.parse(data.join('\n')) as unknown });
}

/** Opens the stream, optionally resuming after `lastEventId` (sent as the `Last-Event-ID` header). */
export function openSse(gateway: Gateway, options: { lastEventId?: string | number; query?: string } = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
    const req = request(`${gateway.origin}/_dev/live${options.query ?? ''}`, { headers });
    open.push(req);
    req.once('error', reject);
    req.once('response', (res) => {
      const waiters = new Set<() => void>();
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      let buffer = '';
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        retry: undefined,
        comments: [],
        ended,
        close: () => req.destroy(),
        next: (match, from = 0) =>
          new Promise((resolveNext, rejectNext) => {
            let done = false;
            const check = (): void => {
              const found = client.events.slice(from).find(match);
              if (found !== undefined && !done) {
                done = true;
                waiters.delete(check);
                resolveNext(found);
              }
            };
            waiters.add(check);
            check();
            void ended.then(() => {
              if (!done && waiters.delete(check)) rejectNext(new Error(`the stream ended first; events: ${client.events.map((e) => `${e.event}#${e.id}`).join(' ')}`));
            });
          }),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          parseBlock(buffer.slice(0, end), client);
          buffer = buffer.slice(end + 2);
        }
        for (const w of [...waiters]) w();
      });
      res.once('close', () => endedResolve());
      res.once('error', () => endedResolve());
      req.once('close', () => endedResolve());
      resolve(client);
    });
    req.end();
  });
}

/** The events of a client that are updates, with their data typed. */
export const updatesOf = (client: SseClient): SseUpdate[] => client.events.filter((e): e is SseUpdate => e.event === 'update');
