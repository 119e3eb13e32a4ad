import type { GatewayContext, Route } from './_context.js';
import { headerValue, messageOf, sendJson } from './_context.js';
import { authorize } from './_ingest-common.js';
import { devRoutes, healthRoute } from './_dev-routes.js';
import { createFaultInjector } from './_faults.js';
import { influxWriteRoute } from './_influx-route.js';
import { INGEST_PATH, ingestRoute } from './_ingest-route.js';
import { liveRoutes } from './_live-routes.js';
import { createLiveState, type LiveState } from './_live-state.js';
import { createLiveStream, type LiveStream } from './_live-stream.js';
import { quietObserver } from './_observer.js';
import { withRefusalLines } from './_refusal-lines.js';
import { loadPageAssets } from './_page-assets.js';
import { resolveOptions } from './_options.js';
import { createHttpServer } from './_server.js';
import { createStore } from './_store.js';
import type { Store } from './_store.js';
import { createDeviceHub, DEVICE_PATH } from './_ws-device.js';
import { wsDevRoutes } from './_ws-dev-routes.js';
import { GatewayError } from './errors.js';
import type { Gateway, GatewayOptions } from './types.js';

/** True for addresses only this host can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The route with every method answering 401/403 unless `x-api-key` holds a write key. */
function keyRequired(ctx: GatewayContext, route: Route): Route {
  const methods: Route['methods'] = {};
  for (const [method, handler] of Object.entries(route.methods)) {
    if (!handler) continue;
    methods[method] = async (req, res, url) => {
      // A browser's EventSource cannot set headers: the live page passes the key as ?key=.
      const key = headerValue(req, 'x-api-key') || url.searchParams.get('key') || undefined;
      const auth = authorize(ctx, key, 'the x-api-key header or ?key= (the /_dev endpoints need a key when the gateway listens beyond loopback)');
      if (!auth.ok) return sendJson(res, auth.status, { error: auth.message });
      return handler(req, res, url);
    };
  }
  return { ...route, methods };
}

function originOf(host: string, port: number): string {
  // A wildcard is no address to connect to (browsers refuse http://0.0.0.0/): this machine's loopback reaches it.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}`;
}

/**
 * Starts a local Plexus-compatible ingest service: `POST /ingest` and the WebSocket device
 * protocol on `/ws/device` (DESIGN section 3, with the `ack` and `time_sync` extensions), the
 * `/_dev/*` endpoints, the live page at `/` with its event stream, `GET /healthz`, and
 * optionally InfluxDB's `POST /api/v2/write`.
 * Resolves once it listens. Rejects with `GatewayError` (`OPTIONS_INVALID` for bad options
 * or an out file that cannot be opened, `LISTEN_FAILED` when the port is taken).
 * Stored points live in memory (and the `out` file) until `reset()`; nothing survives the process.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const resolved = resolveOptions(options);
  let clockOffsetMs = resolved.clockOffsetMs;
  const clockNow = (): number => resolved.now() + clockOffsetMs;

  const assets = resolved.live === undefined ? [] : loadPageAssets();
  let store: Store;
  let stream: LiveStream | undefined;
  const live: LiveState | undefined =
    resolved.live === undefined
      ? undefined
      : createLiveState({
          maxSeries: resolved.live.maxSeries,
          maxSources: resolved.live.maxSources,
          now: clockNow,
          counters: () => store.stats(),
          clients: () => stream?.counts() ?? { clients: 0, droppedClients: 0 },
        });
  const observer = resolved.refusals === undefined ? (live ?? quietObserver) : withRefusalLines(live ?? quietObserver, resolved.refusals, clockNow);
  try {
    store = createStore({ ...resolved, observer });
  } catch (err) {
    throw new GatewayError('OPTIONS_INVALID', `createGateway: cannot open out file ${resolved.out ?? ''}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const faults = createFaultInjector(resolved.random);
  const lifetime = new AbortController();
  const ctx: GatewayContext = { options: resolved, store, faults, observer, clockNow, signal: lifetime.signal };

  const hub = createDeviceHub(ctx);
  const reset = (): void => {
    store.reset();
    faults.set(undefined);
    hub.reset();
    stream?.reset();
  };
  const routes: Route[] = [ingestRoute(ctx), healthRoute()];
  if (resolved.influxWrite) routes.push(influxWriteRoute(ctx));
  if (resolved.devEndpoints) {
    const dev = [...devRoutes(ctx, reset), ...wsDevRoutes(hub)];
    // Beyond loopback anyone who can reach the port could reset the store or drive devices.
    routes.push(...(isLoopback(resolved.host) ? dev : dev.map((route) => keyRequired(ctx, route))));
  }
  if (resolved.live !== undefined && live !== undefined) {
    stream = createLiveStream({ ...resolved.live, state: live, firstId: Math.max(0, Math.floor(resolved.now())) });
    const page = liveRoutes(assets, stream, live);
    // The page itself is static; its stream and history are dev endpoints like the others.
    routes.push(...(isLoopback(resolved.host) ? page : page.map((route) => (route.path.startsWith('/_dev/') ? keyRequired(ctx, route) : route))));
  }
  const upgrades = new Map([[DEVICE_PATH, hub.upgrade]]);
  const http = createHttpServer({ routes, upgrades, closing: () => lifetime.signal.aborted });

  let port: number;
  try {
    port = await http.listen(resolved.port, resolved.host);
  } catch (err) {
    store.close();
    await hub.close();
    stream?.close();
    throw new GatewayError(
      'LISTEN_FAILED',
      `cannot listen on ${resolved.host}:${resolved.port}: ${messageOf(err)} (${listenHint(err)})`,
      { cause: err },
    );
  }

  const origin = originOf(resolved.host, port);
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${INGEST_PATH}`,
    wsUrl: `${origin.replace(/^http/, 'ws')}${DEVICE_PATH}`,
    origin,
    port,
    close() {
      closing ??= (async () => {
        lifetime.abort();
        stream?.close();
        await hub.close();
        await http.close();
        store.close();
      })();
      return closing;
    },
    points: (filter) => store.query(filter),
    stats: () => store.stats(),
    reset,
    setFaults: (plan) => faults.set(plan),
    clockNow,
    setClockOffsetMs(offsetMs) {
      if (!Number.isFinite(offsetMs)) throw new GatewayError('OPTIONS_INVALID', 'setClockOffsetMs: offset must be a finite number');
      clockOffsetMs = offsetMs;
    },
    devices: () => hub.devices(),
    sendControl: (sourceId, message, controlOptions) => hub.sendControl(sourceId, message, controlOptions),
    disconnectDevices: (sourceId) => hub.disconnect(sourceId),
  };
}

/**
 * What to change when listening failed: a host that is no address of this machine is not fixed
 * by another port, which is what a taken port needs.
 */
function listenHint(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return 'the host is no address of this machine: listen on 127.0.0.1, or 0.0.0.0 for every interface';
  }
  return 'choose another port, or 0 for any free one';
}
