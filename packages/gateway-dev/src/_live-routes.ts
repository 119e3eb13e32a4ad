import type { ServerResponse } from 'node:http';
import { sendJson } from './_context.js';
import type { Route } from './_context.js';
import type { LiveState } from './_live-state.js';
import type { LiveStream } from './_live-stream.js';
import type { PageAsset } from './_page-assets.js';

/** Most series one history request may ask for. */
const MAX_HISTORY_IDS = 500;

/**
 * The page may only talk to its own gateway: no inline scripts, no other origins. uPlot sets
 * element styles from script, hence `'unsafe-inline'` for styles only.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function serve(asset: PageAsset, res: ServerResponse): void {
  res
    .writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
    })
    .end(asset.body);
}

/** `?ids=1,2,3` as numbers; undefined when malformed or too many. */
function idsOf(url: URL): number[] | undefined {
  const raw = url.searchParams.get('ids') ?? '';
  if (raw === '') return [];
  const parts = raw.split(',');
  if (parts.length > MAX_HISTORY_IDS || !parts.every((p) => /^\d{1,12}$/.test(p))) return undefined;
  return parts.map(Number);
}

/**
 * The live page: its files at `/` and `/assets/*`, the event stream at `GET /_dev/live`, chart
 * history at `GET /_dev/live/history?ids=`, and `POST /_dev/live/disconnect` to drop every
 * stream client (to see the page resume).
 */
export function liveRoutes(assets: readonly PageAsset[], stream: LiveStream, state: LiveState): Route[] {
  return [
    ...assets.map((asset): Route => ({ path: asset.path, methods: { GET: async (_req, res) => serve(asset, res) } })),
    { path: '/_dev/live', methods: { GET: async (req, res, url) => stream.connect(req, res, url) } },
    {
      path: '/_dev/live/history',
      methods: {
        GET: async (_req, res, url) => {
          const ids = idsOf(url);
          if (ids === undefined) return sendJson(res, 400, { error: `ids must be up to ${MAX_HISTORY_IDS} series ids, comma-separated` });
          sendJson(res, 200, state.history(ids, stream.lastId()), { 'cache-control': 'no-store' });
        },
      },
    },
    {
      path: '/_dev/live/disconnect',
      methods: { POST: async (_req, res) => sendJson(res, 200, { disconnected: stream.disconnectAll() }) },
    },
  ];
}
