import { Agent, request, type Dispatcher } from 'undici';
import type { Clock } from '../clock/clock.js';
import { REQUEST_LIMITS } from '../point/point.js';
import type { Batch } from '../shared/batch.js';
import { requestBody, type BatchCodec } from '../shared/batch-codec.js';
import { SIGNATURE_HEADER, signPayload } from '../shared/signature.js';
import { classifyHttpAnswer, describeNetworkError, MAX_ANSWER_BYTES, sampleClock } from './http-answer.js';
import type { TlsOptions } from './tls.js';
import type { SendOptions, SendResult, Transport } from './transport.js';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** The full ingest URL, e.g. `https://gateway.example.com/ingest`. */
  url: string;
  /** Sent as `x-api-key`; omitted when undefined. */
  apiKey?: string;
  /**
   * Signs every attempt: `x-fieldbridge-signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>." and
   * the body as sent>`, `t` from `clock` (the receiver's time once synced, so its replay window
   * is not fooled by our clock). Default: unsigned.
   */
  signingSecret?: string;
  /** Body-level `source_id`. */
  sourceId: string;
  /**
   * gzip level for batches an earlier fieldbridge spooled uncompressed (sealed batches carry
   * their body already encoded); undefined sends those uncompressed. Default 1.
   */
  gzipLevel?: number;
  /** Receives clock samples from `server_time_ms` or the `Date` header. */
  clock: Clock;
  /** `user-agent` header. Default `fieldbridge`. */
  userAgent?: string;
  /** TLS for `https://`: a private CA, a client certificate, the server name. Default: the system CAs, verified. */
  tls?: TlsOptions;
  /** undici dispatcher; default a keep-alive Agent owned (and closed) by the transport. */
  dispatcher?: Dispatcher;
}

/**
 * HTTP transport to a Plexus-compatible `POST /ingest`: keep-alive (undici), the batch's body
 * as it was sealed (gzip), `x-api-key`, the batch id as `x-batch-id` and, with a signing secret,
 * a fresh `x-fieldbridge-signature` on every attempt. Answers are mapped to a
 * {@link SendResult}; it never throws. Every answer feeds the clock; `syncClock` asks for the
 * server's time with a `HEAD` of the ingest URL before the first batch goes out. At most
 * {@link MAX_ANSWER_BYTES} of an answer is read: a proxy's huge error page costs nothing.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const ownDispatcher = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, connections: 8, ...(options.tls ? { connect: connectOptions(options.tls) } : {}) });
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  const codec: BatchCodec = { sourceId: options.sourceId, gzipLevel: 'gzipLevel' in options ? options.gzipLevel : 1 };
  const secrets = [options.apiKey, options.signingSecret];
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': options.userAgent ?? 'fieldbridge',
  };
  if (options.apiKey !== undefined) baseHeaders['x-api-key'] = options.apiKey;

  const signalOf = (sendOptions: SendOptions): AbortSignal => {
    const signals = [AbortSignal.timeout(sendOptions.timeoutMs)];
    if (sendOptions.signal) signals.push(sendOptions.signal);
    return AbortSignal.any(signals);
  };

  return {
    name: 'http',
    async send(batch: Batch, sendOptions: SendOptions): Promise<SendResult> {
      // The body was encoded when the batch was sealed: sent as it is, never parsed again.
      const { body, gzipped } = requestBody(batch, codec);
      const raw = batch.rawBytes ?? body.length;
      if (batch.count > REQUEST_LIMITS.maxPoints || raw > REQUEST_LIMITS.maxBodyBytes || body.length > REQUEST_LIMITS.maxBodyBytes) {
        return { status: 'too_large', reason: `batch of ${batch.count} points, ${raw} bytes exceeds the request limits` };
      }
      const headers: Record<string, string> = { ...baseHeaders, 'x-batch-id': batch.id };
      if (gzipped) headers['content-encoding'] = 'gzip';
      if (options.signingSecret !== undefined) headers[SIGNATURE_HEADER] = signPayload(options.signingSecret, body, options.clock.now());
      const sentAtMs = options.clock.monotonicNow();
      try {
        const res = await request(options.url, { method: 'POST', headers, body, dispatcher, signal: signalOf(sendOptions) });
        const text = await readBounded(res.body);
        const receivedAtMs = options.clock.monotonicNow();
        return classifyHttpAnswer({ statusCode: res.statusCode, headers: res.headers, text, sentAtMs, receivedAtMs, clock: options.clock, secrets });
      } catch (err) {
        return { status: 'retryable', reason: describeNetworkError(err, sendOptions.timeoutMs) };
      }
    },
    async syncClock(sendOptions: SendOptions): Promise<boolean> {
      const sentAtMs = options.clock.monotonicNow();
      try {
        const res = await request(options.url, { method: 'HEAD', headers: baseHeaders, dispatcher, signal: signalOf(sendOptions) });
        await readBounded(res.body);
        sampleClock({ headers: res.headers, sentAtMs, receivedAtMs: options.clock.monotonicNow(), clock: options.clock });
      } catch {
        // No answer: the caller tries again later; a network failure shows up on the next send.
      }
      return options.clock.synced();
    },
    async shutdown() {
      if (ownDispatcher && !ownDispatcher.destroyed) await ownDispatcher.close();
    },
  };
}

/** Reads at most {@link MAX_ANSWER_BYTES} of a body as text, then drops the connection's rest. */
async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(size + buffer.length > MAX_ANSWER_BYTES ? buffer.subarray(0, MAX_ANSWER_BYTES - size) : buffer);
    size += buffer.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function connectOptions(tls: TlsOptions): Record<string, unknown> {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    rejectUnauthorized: tls.verify ?? true,
  };
}
