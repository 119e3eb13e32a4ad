import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './_body.js';
import { messageOf, sendJson } from './_context.js';
import { parseFaultPlan } from './_faults.js';
import type { GatewayContext, Route } from './_context.js';
import { isGatewayError } from './errors.js';
import type { PointFilter } from './types.js';

const MAX_DEV_BODY_BYTES = 64 * 1024;

async function putFaults(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, { maxBytes: MAX_DEV_BODY_BYTES });
  if (!body.ok) return sendJson(res, body.status, { error: body.error });
  try {
    ctx.faults.set(parseFaultPlan(JSON.parse(body.body.toString('utf8'))));
  } catch (err) {
    if (err instanceof SyntaxError || isGatewayError(err, 'FAULTS_INVALID')) {
      return sendJson(res, 400, { error: messageOf(err) });
    }
    throw err;
  }
  sendJson(res, 200, ctx.faults.current());
}

function filterOf(url: URL): PointFilter {
  const filter: PointFilter = {};
  const metric = url.searchParams.get('metric');
  const sourceId = url.searchParams.get('source_id');
  if (metric !== null && metric !== '') filter.metric = metric;
  if (sourceId !== null && sourceId !== '') filter.sourceId = sourceId;
  return filter;
}

/**
 * Loopback tooling without an API key: stored points, counters, reset, and the fault plan.
 * `reset` is the same as `Gateway.reset()`.
 */
export function devRoutes(ctx: GatewayContext, reset: () => void): Route[] {
  return [
    {
      path: '/_dev/points',
      methods: {
        GET: async (_req, res, url) => {
          const points = ctx.store.query(filterOf(url));
          sendJson(res, 200, { count: points.length, points });
        },
      },
    },
    { path: '/_dev/stats', methods: { GET: async (_req, res) => sendJson(res, 200, ctx.store.stats()) } },
    {
      path: '/_dev/reset',
      methods: {
        POST: async (_req, res) => {
          reset();
          sendJson(res, 204, undefined);
        },
      },
    },
    {
      path: '/_dev/faults',
      methods: {
        GET: async (_req, res) => sendJson(res, 200, ctx.faults.current()),
        PUT: (req, res) => putFaults(ctx, req, res),
        DELETE: async (_req, res) => {
          ctx.faults.set(undefined);
          sendJson(res, 204, undefined);
        },
      },
    },
  ];
}

/** `GET /healthz`: liveness, always served. */
export function healthRoute(): Route {
  return { path: '/healthz', methods: { GET: async (_req, res) => sendJson(res, 200, { status: 'ok' }) } };
}
