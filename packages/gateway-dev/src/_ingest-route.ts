import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeBody, readBody } from './_body.js';
import { checkSignature, SIGNATURE_HEADER } from './_signature.js';
import { headerValue, messageOf, sendJson } from './_context.js';
import type { GatewayContext, Route } from './_context.js';
import { applyFault, authorize, isJsonContent } from './_ingest-common.js';
import type { Reply } from './_ingest-common.js';
import { sourceIdProblem, validateIngestBody } from './_validate-point.js';

/** The path of the Plexus HTTP ingest endpoint. */
export const INGEST_PATH = '/ingest';

async function handleIngest(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { store, options } = ctx;
  /** The body's source id, once the body is read: refusals after that name it on the live page. */
  let sourceId: string | undefined;
  const reply: Reply = (status, error, headers) => {
    store.countStatus(status);
    ctx.observer.refused({ via: 'http', status, error, sourceId });
    sendJson(res, status, { error }, { ...headers, 'x-server-time-ms': String(ctx.clockNow()) });
  };
  store.countRequest();
  if (await applyFault(ctx, req, reply, 'http')) return;

  const auth = authorize(ctx, headerValue(req, 'x-api-key'), 'the x-api-key header');
  if (!auth.ok) return reply(auth.status, auth.message);
  if (!isJsonContent(req)) return reply(415, 'content-type must be application/json');

  const signing = options.signingSecret;
  let body = await readBody(req, { maxBytes: options.maxBodyBytes, onWireBytes: (n) => store.countBytes(n), decode: signing === undefined });
  if (!body.ok) return reply(body.status, body.error);
  if (signing !== undefined) {
    // Checked over the bytes as they came, before anything is decompressed or parsed.
    const check = checkSignature(headerValue(req, SIGNATURE_HEADER), body.body, { secret: signing, nowMs: ctx.clockNow(), toleranceS: options.signatureToleranceS });
    if (!check.ok) {
      store.countSignatureRefusal(check.reason);
      return reply(401, check.message);
    }
    body = await decodeBody(req, body.body, options.maxBodyBytes);
    if (!body.ok) return reply(body.status, body.error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.body.toString('utf8'));
  } catch (err) {
    return reply(400, `body is not valid JSON: ${messageOf(err)}`);
  }
  const named = (parsed as { source_id?: unknown } | null)?.source_id;
  if (typeof named === 'string' && sourceIdProblem(named) === undefined) sourceId = named;
  const check = validateIngestBody(parsed, options);
  if (!check.ok) return reply(check.status, check.error);

  let count: number;
  try {
    ({ count } = store.addBatch(check.points, {
      receivedAtMs: ctx.clockNow(),
      batchId: headerValue(req, 'x-batch-id') || undefined,
      via: 'http',
    }));
  } catch (err) {
    return reply(500, `gateway-dev could not store the batch: ${messageOf(err)}`);
  }
  store.countStatus(200);
  const now = ctx.clockNow();
  sendJson(res, 200, { success: true, count, server_time_ms: now }, { 'x-server-time-ms': String(now) });
}

/**
 * `HEAD /ingest`: the server's time without sending data, in the `x-server-time-ms` header (a
 * fieldbridge extension; every ingest answer carries it too). The sink asks for it before its
 * first batch, so even the first points of a run are stamped in server time.
 */
async function handleHead(ctx: GatewayContext, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'x-server-time-ms': String(ctx.clockNow()), 'cache-control': 'no-store' }).end();
}

/** `POST /ingest`: the Plexus HTTP ingest API (DESIGN section 3), and `HEAD /ingest` for the time. */
export function ingestRoute(ctx: GatewayContext): Route {
  return {
    path: INGEST_PATH,
    methods: { POST: (req, res) => handleIngest(ctx, req, res), HEAD: (_req, res) => handleHead(ctx, res) },
  };
}
