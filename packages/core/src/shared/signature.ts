import { createHmac } from 'node:crypto';

/** The HTTP header that carries a batch's signature. */
export const SIGNATURE_HEADER = 'x-fieldbridge-signature';

/**
 * The signature of `payload`, the exact bytes sent, at `nowMs`: `t=<unix seconds>,v1=<hex>`,
 * where the hex is HMAC-SHA256 keyed with `secret` over `<t>.` followed by the payload (the form
 * receivers of webhooks know). The time lets a receiver refuse a replay outside its window.
 */
export function signPayload(secret: string, payload: Buffer | string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.`).update(payload).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * A telemetry frame with its signature as its first field: `{"signature":"t=…,v1=…",` followed by
 * the rest of `frame`. What is signed is `frame` itself, the frame as it would go unsigned, so a
 * receiver takes the signature field off the front (`'{' + text.slice(prefix.length)`) and checks
 * the HMAC over `<t>.` and exactly what is left.
 */
export function signFrame(secret: string, frame: string, nowMs: number): string {
  return `{"signature":"${signPayload(secret, frame, nowMs)}",${frame.slice(1)}`;
}
