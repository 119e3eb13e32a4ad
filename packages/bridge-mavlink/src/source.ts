import { createReconnector, type BridgeContext, type BridgeInstance } from '@fieldbridge/core/bridge';
import { Delivery } from './_deliver.js';
import { createFlowControl, HOLDS } from './_flow.js';
import { createLinkHandlers } from './_link-handlers.js';
import { createLinkOpener } from './_link-open.js';
import { createMavlinkMetrics } from './_metrics.js';
import { NoFrameWatch } from './_no-frames.js';
import { createReplayEnd, tlogProgress } from './_replay.js';
import type { SourceState } from './_source-state.js';
import { startSourceTimers } from './_source-timers.js';
import { VehicleChannels } from './_vehicles.js';
import type { MavlinkConfig } from './config.js';
import { createPointMaker } from './decode.js';
import { loadDialect } from './dialect.js';
import type { LinkStats } from './link.js';
import { formatLinkUrl } from './link-url.js';
import { compileMessagePlan } from './message-plan.js';
import type { LinkOptions } from './open-link.js';
import type { ParseCounts } from './parse-problems.js';
import { createMavlinkReader } from './reader.js';
import { resolveMavlink, type ResolvedMavlink } from './resolve.js';
import type { VehicleSnapshot } from './vehicle-tracker.js';

/** Options of {@link createMavlinkSource}, for tests and embedding. */
export interface MavlinkSourceOptions {
  /** Passed to `openLink` (e.g. a fake timer for paced `.tlog` replay); `reconnect` and `progress` come from the source. */
  link?: Omit<LinkOptions, 'reconnect' | 'progress'>;
}

/** The MAVLink bridge instance, plus a view of what it reads. */
export interface MavlinkSource extends BridgeInstance {
  /** The link's channel name: the connection URL with its defaults, e.g. `udpin://0.0.0.0:14550`. */
  readonly channel: string;
  /** The local address bound (udpin, udpout, tcpin) once started, e.g. to learn the port given for port 0. */
  localAddress(): { host: string; port: number } | undefined;
  /** Every system seen so far (link state, loss, flight mode), once started. */
  vehicles(): VehicleSnapshot[];
  /** The parser's totals, once started. */
  counts(): (ParseCounts & { filtered: number }) | undefined;
  /** The link's totals (chunks and bytes read, UDP datagrams dropped while paused, errors), once started. */
  linkStats(): LinkStats | undefined;
}

/**
 * Creates the MAVLink source: one link (the required channel), a vehicle channel per system
 * heard, points written as messages arrive. Nothing is opened and node-mavlink is not loaded
 * until `start()`, which loads the dialect, compiles the message plan and opens the link; a peer
 * that is down (a refused TCP connection, a UDP port in use) is retried, never fatal.
 */
export function createMavlinkSource(section: MavlinkConfig, ctx: BridgeContext, options: MavlinkSourceOptions = {}): MavlinkSource {
  const config: ResolvedMavlink = resolveMavlink(section);
  const name = formatLinkUrl(config.connection);
  const linkChannel = ctx.channel(name);
  const state: SourceState = {
    ctx,
    config,
    name,
    linkChannel,
    vehicles: new VehicleChannels(ctx, linkChannel, config.linkTimeoutMs),
    metrics: createMavlinkMetrics(ctx.registry),
    holds: HOLDS.has(config.connection.kind),
    lastBytesAt: 0,
  };
  const retries = createReconnector(config.reconnect);
  const stopped = new AbortController();
  const timers: (() => void)[] = [];
  let started = false;
  const tlog = config.connection.kind === 'tlog';
  const replay = createReplayEnd(ctx, name, linkChannel, tlog);
  /** Says once when a live link's bytes hold no frame at all (a radio at another baud rate); a replay without frames fails instead. */
  const noFrames = tlog ? undefined : new NoFrameWatch(ctx.problems, `mavlink.${name}.no_frames`, name, config.connection);
  const handlers = createLinkHandlers(state, replay, noFrames, createFlowControl(state, stopped.signal));
  const opener = createLinkOpener(state, handlers, retries, replay, options.link);

  return {
    channel: name,
    ...(replay.ended ? { ended: replay.ended } : {}),
    async start() {
      if (started || state.stopping) return;
      started = true;
      const dialect = await loadDialect(config.dialect);
      if (state.stopping) return;
      const plan = compileMessagePlan(dialect, config.selection);
      const r = createMavlinkReader({
        dialect,
        messages: plan,
        linkTimeoutMs: config.linkTimeoutMs,
        ...(config.signing ? { signing: { key: config.signing.key, allowUnsigned: config.signing.allowUnsigned } } : {}),
        ...(config.systems ? { systems: config.systems } : {}),
        ...(config.components ? { components: config.components } : {}),
      });
      const d = new Delivery(ctx, state.vehicles, createPointMaker(config, { sourceId: ctx.sourceId, dialect }), state.metrics, config, state.holds);
      state.reader = r;
      state.delivery = d;
      if (config.connection.kind === 'tlog') {
        const kept = tlogProgress(ctx, config.connection);
        state.replayed = kept;
        if (kept.before > 0) ctx.logger.info({ records: kept.before }, `${name}: the same file as before the reload: going on after the ${kept.before.toLocaleString('en-US')} records delivered`);
      }
      await opener.open();
      if (!state.stopping) timers.push(...startSourceTimers(state, r, d));
    },
    stop() {
      state.stopping ??= (async () => {
        stopped.abort();
        retries.cancel();
        for (const clear of timers.splice(0)) clear();
        await opener.taking();
        const held = opener.held();
        if (held) {
          // Kept open for the next start of a reload; what arrives meanwhile waits for it.
          held.value.detach();
          await held.letGo();
        } else {
          await state.link?.close();
        }
        // What the reader holds (a long status text short of its last chunk) goes out with what came.
        if (state.reader && state.delivery) state.delivery.read(state.reader.end(ctx.clock.now()), ctx.clock.monotonicNow());
        state.vehicles.closeAll('the bridge stopped');
      })();
      return state.stopping;
    },
    localAddress: () => state.link?.localAddress(),
    vehicles: () => state.reader?.vehicles() ?? [],
    counts: () => state.reader?.counts(),
    linkStats: () => state.link?.stats(),
  };
}
