import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './_body.js';
import { headerValue, messageOf, sendJson } from './_context.js';
import type { GatewayContext, Route } from './_context.js';
import { applyFault, authorize } from './_ingest-common.js';
import type { Reply } from './_ingest-common.js';
import { validatePoints } from './_validate-point.js';
import { isGatewayError } from './errors.js';
import { parseLineProtocol } from './influx-line-protocol.js';
import type { LineProtocolPrecision, LineProtocolRecord } from './influx-line-protocol.js';

/** The path of InfluxDB v2's write API. */
export const INFLUX_WRITE_PATH = '/api/v2/write';
/** Source id of Influx points whose line has no `source_id` tag. */
const DEFAULT_SOURCE_ID = 'influx';

const CODES: Record<number, string> = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 413: 'request too large',
  415: 'unsupported media type', 429: 'too many requests', 503: 'unavailable',
};

/** One point per field: metric `<measurement>.<field>`, the line's tags, ms timestamps. */
function toPoints(records: readonly LineProtocolRecord[], nowMs: number): Record<string, unknown>[] {
  const points: Record<string, unknown>[] = [];
  for (const record of records) {
    const tagCount = Object.keys(record.tags).length;
    for (const [field, value] of Object.entries(record.fields)) {
      const point: Record<string, unknown> = {
        metric: `${record.measurement}.${field}`,
        value,
        timestamp: record.timestampMs ?? nowMs,
      };
      if (record.tags.source_id !== undefined) point.source_id = record.tags.source_id;
      if (tagCount > 0) point.tags = { ...record.tags };
      points.push(point);
    }
  }
  return points;
}

/** Authorization: `Token <key>` (the scheme the Influx clients send). */
function tokenOf(req: IncomingMessage): string | undefined {
  const match = /^Token\s+(.+)$/i.exec(headerValue(req, 'authorization') ?? '');
  return match?.[1]?.trim();
}

async function handleWrite(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { store, options } = ctx;
  const reply: Reply = (status, message, headers) => {
    store.countStatus(status);
    ctx.observer.refused({ via: 'influx', status, error: message });
    sendJson(res, status, { code: CODES[status] ?? 'internal error', message }, headers);
  };
  store.countRequest();
  if (await applyFault(ctx, req, reply, 'influx')) return;
  const auth = authorize(ctx, tokenOf(req), 'the Authorization header as "Token <key>"');
  if (!auth.ok) return reply(auth.status, auth.message);
  const precision = url.searchParams.get('precision') ?? 'ns';
  if (!['ns', 'us', 'ms', 's'].includes(precision)) return reply(400, `precision must be ns, us, ms or s, not "${precision}"`);

  const body = await readBody(req, { maxBytes: options.maxBodyBytes, onWireBytes: (n) => store.countBytes(n) });
  if (!body.ok) return reply(body.status, body.error);
  let records: LineProtocolRecord[];
  try {
    records = parseLineProtocol(body.body.toString('utf8'), precision as LineProtocolPrecision);
  } catch (err) {
    if (isGatewayError(err)) return reply(400, `unable to parse line protocol: ${err.message}`);
    throw err;
  }
  const receivedAtMs = ctx.clockNow();
  const check = validatePoints(toPoints(records, receivedAtMs), DEFAULT_SOURCE_ID, options, false);
  if (!check.ok) return reply(400, check.error);
  try {
    if (check.points.length > 0) store.addBatch(check.points, { receivedAtMs, batchId: undefined, via: 'influx' });
  } catch (err) {
    return reply(500, `gateway-dev could not store the batch: ${messageOf(err)}`);
  }
  store.countStatus(204);
  sendJson(res, 204, undefined);
}

/** `POST /api/v2/write`: InfluxDB v2 line protocol, for benchmarks against Influx clients. */
export function influxWriteRoute(ctx: GatewayContext): Route {
  return { path: INFLUX_WRITE_PATH, methods: { POST: (req, res, url) => handleWrite(ctx, req, res, url) } };
}
