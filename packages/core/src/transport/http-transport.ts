import type { Agent } from 'node:http';
import { FieldbridgeError } from '../errors.js';
import type { Clock } from '../clock/clock.js';
import { REQUEST_LIMITS } from '../point/point.js';
import type { Batch } from '../shared/batch.js';
import { requestBody, type BatchCodec } from '../shared/batch-codec.js';
import { SIGNATURE_HEADER, signPayload } from '../shared/signature.js';
import { classifyHttpAnswer, describeNetworkError, MAX_ANSWER_BYTES, sampleClock } from './http-answer.js';
import { createHttpEndpoint } from './_http-exchange.js';
import type { TlsOptions } from './tls.js';
import { parseProxyUrl } from './proxy-env.js';
import { urlSecrets } from '../shared/text.js';
import type { ClockProbe, SendOptions, SendResult, Transport } from './transport.js';

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
  /**
   * A node `http.Agent` (an `https.Agent` for `https://`) to send through, e.g. a proxy's;
   * default a keep-alive agent of at most 8 connections owned (and closed) by the transport.
   */
  agent?: Agent;
  /**
   * An HTTP proxy to send through, `http://[user:password@]host:port` (or `https://`): every
   * connection is a CONNECT tunnel, TLS to the receiver inside it (with `tls`), kept alive like a
   * direct one; the credentials go as `Proxy-Authorization: Basic` and are never logged. A proxy
   * refusing the tunnel (407, 403, 502) is a `retryable` answer naming it and its status.
   * `createSink` sets it from `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY`. Default: direct.
   * Not with `agent`.
   */
  proxy?: string;
}

/**
 * HTTP transport to a Plexus-compatible `POST /ingest`: keep-alive (node's own http), the batch's body
 * as it was sealed (gzip), `x-api-key`, the batch id as `x-batch-id` and, with a signing secret,
 * a fresh `x-fieldbridge-signature` on every attempt. Answers are mapped to a
 * {@link SendResult}; it never throws. Every answer feeds the clock; `syncClock` asks for the
 * server's time with a `HEAD` of the ingest URL before the first batch goes out (a receiver
 * that cannot be reached is reported as a `retryable` answer). At most
 * {@link MAX_ANSWER_BYTES} of an answer is read: a proxy's huge error page costs nothing.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  if (options.proxy !== undefined && options.agent !== undefined) throw new FieldbridgeError('OPTIONS_INVALID', 'http transport: give either agent or proxy, not both (a proxy is an agent of its own)');
  const proxy = options.proxy === undefined ? undefined : parseProxyUrl(options.proxy);
  const endpoint = createHttpEndpoint(options.url, { tls: options.tls, agent: options.agent, proxy, maxSockets: 8, idleMs: 30_000, maxAnswerBytes: MAX_ANSWER_BYTES });
  const codec: BatchCodec = { sourceId: options.sourceId, gzipLevel: 'gzipLevel' in options ? options.gzipLevel : 1 };
  const secrets = [options.apiKey, options.signingSecret, ...urlSecrets(options.url)];
  const userAgent = options.userAgent ?? 'fieldbridge';
  // Headers (and the answer handed to classifyHttpAnswer) are built field by field, not spread
  // from another object: measured at 10,000 requests/s, V8's spread clones were promoted to the
  // old generation about four times as much per request (a draining spool's heap: 137 -> 90 MB).
  const headersOf = (): Record<string, string> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent };
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    return headers;
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
      const headers = headersOf();
      headers['x-batch-id'] = batch.id;
      headers['content-length'] = String(body.length);
      if (gzipped) headers['content-encoding'] = 'gzip';
      if (options.signingSecret !== undefined) headers[SIGNATURE_HEADER] = signPayload(options.signingSecret, body, options.clock.now());
      const sentAtMs = options.clock.monotonicNow();
      try {
        const answer = await endpoint.exchange({ method: 'POST', headers, body, timeoutMs: sendOptions.timeoutMs, signal: sendOptions.signal });
        const receivedAtMs = options.clock.monotonicNow();
        return classifyHttpAnswer({ statusCode: answer.statusCode, headers: answer.headers, text: answer.text, sentAtMs, receivedAtMs, clock: options.clock, secrets });
      } catch (err) {
        return { status: 'retryable', reason: describeNetworkError(err, sendOptions.timeoutMs) };
      }
    },
    async syncClock(sendOptions: SendOptions): Promise<ClockProbe> {
      const sentAtMs = options.clock.monotonicNow();
      try {
        const answer = await endpoint.exchange({ method: 'HEAD', headers: headersOf(), timeoutMs: sendOptions.timeoutMs, signal: sendOptions.signal });
        sampleClock({ headers: answer.headers, sentAtMs, receivedAtMs: options.clock.monotonicNow(), clock: options.clock });
      } catch (err) {
        // The receiver is not reachable: reported like a failed send, from the first attempt.
        return { status: 'retryable', reason: describeNetworkError(err, sendOptions.timeoutMs) };
      }
      return options.clock.synced();
    },
    async shutdown() {
      endpoint.close();
    },
  };
}
