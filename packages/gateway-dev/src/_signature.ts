import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a signed HTTP batch carries. */
export const SIGNATURE_HEADER = 'x-fieldbridge-signature';

/** Why a signature was refused; each is counted in `stats().signatureRefusals`. */
export type SignatureRefusal = 'missing' | 'malformed' | 'mismatch' | 'stale';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureRefusal; message: string };

/** What a check needs: the shared secret, the server clock, the replay window. */
export interface SignatureKeys {
  secret: string;
  nowMs: number;
  toleranceS: number;
}

const FORM = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

/**
 * Checks `t=<unix s>,v1=<hex>` against `payload` (the exact bytes received): the HMAC-SHA256 with
 * the secret over `<t>.` and the payload must match (compared in constant time), and `t` must be
 * within `toleranceS` of the server clock either way, so a captured request replayed later is
 * refused. The messages say what to do and never carry the secret or the expected signature.
 */
export function checkSignature(header: string | undefined, payload: Buffer | string, keys: SignatureKeys): SignatureCheck {
  if (header === undefined || header === '') {
    return { ok: false, reason: 'missing', message: `missing ${SIGNATURE_HEADER}: this gateway checks signatures; set sink.signing.secret to the secret it was started with` };
  }
  const m = FORM.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed', message: `${SIGNATURE_HEADER} must read t=<unix seconds>,v1=<64 hex digits>` };
  const t = Number(m[1]);
  const expected = createHmac('sha256', keys.secret).update(`${t}.`).update(payload).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))) {
    return { ok: false, reason: 'mismatch', message: 'the signature does not match the body: a different secret, or the body was changed on the way' };
  }
  const ageS = Math.round(keys.nowMs / 1000 - t);
  if (Math.abs(ageS) > keys.toleranceS) {
    const when = ageS > 0 ? `${ageS} s old` : `${-ageS} s in the future`;
    return { ok: false, reason: 'stale', message: `the signature is ${when}, outside the ${keys.toleranceS} s window: a replay, or the sender's clock is off` };
  }
  return { ok: true };
}

/** The signature field first in a signed telemetry frame, as the sink writes it. */
const FRAME_PREFIX = /^\{"signature":"([^"]{0,200})",/;

/**
 * Checks a signed WebSocket telemetry frame, `{"signature":"t=…,v1=…",<the rest>}`: what was
 * signed is the frame without that first field, `{<the rest>}`, byte for byte as received.
 */
export function checkFrameSignature(text: string, keys: SignatureKeys): SignatureCheck {
  const m = FRAME_PREFIX.exec(text);
  if (!m) return { ok: false, reason: 'missing', message: 'the frame is not signed: this gateway checks signatures ("signature" first in every telemetry frame); set sink.signing.secret' };
  return checkSignature(m[1], `{${text.slice(m[0].length)}`, keys);
}
