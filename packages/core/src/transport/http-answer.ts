import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../clock/clock.js';
import { excerpt, redact } from '../shared/text.js';
import { parseRetryAfterMs } from './retry-policy.js';
import { tlsHint } from './tls.js';
import type { SendResult } from './transport.js';

/** One HTTP answer, as read by the transport. */
export interface HttpAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body, at most {@link MAX_ANSWER_BYTES} of it. */
  text: string;
  /** Secrets the server might echo back (the API key): never copied into a reason. */
  secrets?: readonly (string | undefined)[];
  sentAtMs: number;
  receivedAtMs: number;
  clock: Clock;
}

/** Most of an answer's body the transport reads; the rest is discarded unread. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Maps an ingest answer to the answer policy of DESIGN section 4, feeding the clock on the way.
 * The server's words in a reason are cut to a bound, made printable and stripped of the key.
 */
export function classifyHttpAnswer(answer: HttpAnswer): SendResult {
  const code = answer.statusCode;
  const ok = code >= 200 && code < 300;
  // The common answer, {"success":true} to a 2xx, says nothing a parse would find: no
  // `success: false`, no server time. Parsed, each was an object kept past its request.
  const json = ok && !answer.text.includes('false') && !answer.text.includes('server_time_ms') ? undefined : parseJson(answer.text);
  sampleClock(answer, json);
  // The common answer, a plain 2xx, is decided before any of the server's words are prepared.
  const deliveredNot = ok && json !== null && typeof json === 'object' && (json as { success?: unknown }).success === false;
  if (ok && !deliveredNot) return SUCCESS;
  const raw = errorText(json, answer.text);
  const detail = raw === undefined ? undefined : excerpt(redact(raw, answer.secrets ?? []), 200);
  const reason = `HTTP ${code}${detail ? `: ${detail}` : ''}`;
  // A 2xx that says it did not store the points is not a delivery.
  if (deliveredNot) return { status: 'server_error', reason: `HTTP ${code} with success: false${detail ? `: ${detail}` : ''}`, statusCode: code };
  const retryInMs = parseRetryAfterMs(answer.headers['retry-after'], answer.clock.now());
  if (code === 400 || code === 422) {
    const match = /points\[(\d+)\]/.exec(detail ?? '');
    return match ? { status: 'rejected', reason, index: Number(match[1]) } : { status: 'rejected', reason };
  }
  if (code === 401 || code === 403) return { status: 'unauthorized', reason, statusCode: code };
  if (code === 413) return { status: 'too_large', reason };
  if (code === 500) return withRetry({ status: 'server_error', reason, statusCode: code }, retryInMs);
  // 404/405 mean a wrong URL: keep the data and probe slowly, as for a refused key.
  if (code === 404 || code === 405) return { status: 'unauthorized', reason: `${reason} (is sink.url the ingest endpoint?)`, statusCode: code };
  return withRetry({ status: 'retryable', reason, statusCode: code }, retryInMs);
}

/** One frozen answer for every delivery: nothing allocated per batch. */
const SUCCESS: SendResult = Object.freeze({ status: 'success' });

/** A short description of a network failure, naming timeouts and refused connections plainly, and the setting that fixes a certificate error. */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e?.name === 'AbortError') return 'aborted';
  const code = e?.code ?? e?.cause?.code;
  // An error with a code of its own (a proxy's refusal) says it all; a wrapper without one (fetch's) says less than its cause.
  const message = excerpt((e?.code !== undefined ? e.message : (e?.cause?.message ?? e?.message)) ?? String(err), 200);
  const hint = tlsHint(code);
  const described = code ? `${code}: ${message}` : message;
  return hint ? `${described} (${hint})` : described;
}

function withRetry<T extends SendResult>(result: T, retryInMs: number | undefined): T {
  return retryInMs === undefined ? result : { ...result, retryInMs };
}

function parseJson(text: string): unknown {
  if (!text || (text[0] !== '{' && text[0] !== '[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: a proxy's HTML error page, say. The status code still decides.
    return undefined;
  }
}

function errorText(json: unknown, text: string): string | undefined {
  if (json && typeof json === 'object' && 'error' in json) {
    const error = (json as { error: unknown }).error;
    return typeof error === 'string' ? error : text;
  }
  if (json && typeof json === 'object' && 'message' in json && typeof (json as { message: unknown }).message === 'string') return (json as { message: string }).message;
  return text || undefined;
}

/**
 * Offers the server's time in an answer to the clock: `server_time_ms` in a JSON body, else an
 * `x-server-time-ms` header (both gateway-dev extensions), else the `Date` header (whole seconds).
 */
export function sampleClock(answer: Omit<HttpAnswer, 'text' | 'statusCode'>, json?: unknown): void {
  const bodyTime = json && typeof json === 'object' ? (json as { server_time_ms?: unknown }).server_time_ms : undefined;
  const headerTime = Number(answer.headers['x-server-time-ms']);
  const serverTime = typeof bodyTime === 'number' ? bodyTime : answer.headers['x-server-time-ms'] !== undefined ? headerTime : undefined;
  // Samples are built field by field: spread copies were promoted to the old generation.
  if (typeof serverTime === 'number' && Number.isFinite(serverTime)) {
    answer.clock.addSample({ sentAtMs: answer.sentAtMs, receivedAtMs: answer.receivedAtMs, serverTimeMs: serverTime });
    return;
  }
  const date = answer.headers.date ? Date.parse(answer.headers.date) : Number.NaN;
  if (!Number.isNaN(date)) answer.clock.addSample({ sentAtMs: answer.sentAtMs, receivedAtMs: answer.receivedAtMs, serverTimeMs: date, resolutionMs: 1000 });
}
