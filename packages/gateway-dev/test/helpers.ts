import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { afterEach } from 'vitest';
import { createGateway } from '../src/index.js';
import type { Gateway, GatewayOptions } from '../src/index.js';

export const KEY = 'test-write-key';
export const READ_ONLY_KEY = 'test-read-key';

const started: Gateway[] = [];

/** Starts a gateway on an OS-chosen port; it is closed after the test. */
export async function startGateway(options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const gateway = await createGateway({ apiKeys: [KEY], readOnlyKeys: [READ_ONLY_KEY], ...options });
  started.push(gateway);
  return gateway;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.close()));
});

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

async function answerOf(res: Dispatcher.ResponseData): Promise<Answer> {
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined; // not JSON: callers look at `text`
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export interface PostOptions {
  key?: string | null;
  headers?: Record<string, string>;
  gzip?: boolean;
  dispatcher?: Dispatcher;
}

/** POSTs a JSON body (or raw bytes) to the gateway's ingest URL. */
export async function ingest(gateway: Gateway, body: unknown, options: PostOptions = {}): Promise<Answer> {
  let bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers['x-api-key'] = key;
  if (options.gzip === true) {
    bytes = gzipSync(bytes);
    headers['content-encoding'] = 'gzip';
  }
  const res = await request(gateway.url, {
    method: 'POST',
    headers,
    body: bytes,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
  return answerOf(res);
}

/** Any request to a path of the gateway. */
export async function call(
  gateway: Gateway,
  method: Dispatcher.HttpMethod,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await request(`${gateway.origin}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return answerOf(res);
}

/** A valid body with `n` numeric points. */
export function batch(n = 1, sourceId = 'plant-a'): { source_id: string; points: Record<string, unknown>[] } {
  const points = Array.from({ length: n }, (_, i) => ({ metric: 'line1.motor.rpm', value: 1000 + i, timestamp: 1_700_000_000_000 + i }));
  return { source_id: sourceId, points };
}
