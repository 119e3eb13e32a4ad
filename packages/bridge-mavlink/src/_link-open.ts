// Opening the source's link: a UDP link kept open across reloads (taken up again by the next
// start), a link whose start is awaited (UDP, tcpin, a replay) retried with backoff or failing
// the replay, TCP and serial left to reconnect on their own.
import type { Kept, Reconnector } from '@fieldbridge/core/bridge';
import { startHeldLink, type HeldLink } from './_held-link.js';
import type { ReplayEnd } from './_replay.js';
import type { SourceState } from './_source-state.js';
import { isMavlinkBridgeError, MavlinkBridgeError } from './errors.js';
import type { LinkHandlers, MavlinkLink } from './link.js';
import { formatLinkUrl } from './link-url.js';
import { openLink, type LinkOptions } from './open-link.js';

/** The source's link being opened, and what a stop must wait for or let go. */
export interface LinkOpener {
  /** Starts the link: UDP and replays are awaited (a bind or open that fails is retried or fails the channel); tcp and serial keep trying on their own. */
  open(): Promise<void>;
  /** A UDP link being opened or taken up (a stop waits for it, then lets it go). */
  taking(): Promise<void> | undefined;
  /** A UDP link, kept open across reloads that do not change it. */
  held(): Kept<HeldLink> | undefined;
}

export function createLinkOpener(
  state: SourceState,
  handlers: LinkHandlers,
  retries: Reconnector,
  replay: ReplayEnd,
  linkOptions: Omit<LinkOptions, 'reconnect' | 'progress'> | undefined,
): LinkOpener {
  const { ctx, config, name, vehicles } = state;
  let held: Kept<HeldLink> | undefined;
  let taking: Promise<void> | undefined;

  /**
   * The UDP link, the one an earlier start kept open when a reload did not change the connection
   * (what arrived between that start's stop and now is read first), else bound now.
   */
  async function takeUdpLink(): Promise<MavlinkLink> {
    const kept = await ctx.keepOpen('link', {
      settings: [name, linkOptions?.maxPeers, linkOptions?.peerTimeoutMs],
      open: () => startHeldLink(openLink(config.connection, { ...linkOptions })),
      dispose: (h) => h.close(),
    });
    if (state.stopping) {
      await kept.letGo();
      return kept.value.link;
    }
    held = kept;
    state.link = kept.value.link;
    const lost = kept.value.attach(handlers);
    if (lost > 0) {
      ctx.metrics.error(name, 'reload_overflow', lost);
      ctx.logger.warn({ channel: name, datagrams: lost }, `${name}: ${lost} datagrams that arrived during the reload were dropped: more than the link holds meanwhile`);
    }
    return kept.value.link;
  }

  async function open(): Promise<void> {
    const kind = config.connection.kind;
    if (kind === 'udpin' || kind === 'udpout') {
      const taken = takeUdpLink();
      taking = taken.then(() => undefined, () => undefined);
      await awaitStart(taken);
      return;
    }
    const current = openLink(config.connection, { ...linkOptions, reconnect: config.reconnect, ...(state.replayed ? { progress: state.replayed.progress } : {}) });
    state.link = current;
    if (kind === 'tcp' || kind === 'serial') {
      void current.start(handlers);
      return;
    }
    await awaitStart(current.start(handlers).then(() => current));
  }

  /** A link whose start is awaited (UDP, tcpin, tlog) has started, or failed (retried; a replay fails). */
  async function awaitStart(starting: Promise<MavlinkLink>): Promise<void> {
    const kind = config.connection.kind;
    try {
      const current = await starting;
      if (state.stopping) return;
      retries.connected();
      ctx.problems.resolve(`mavlink.${name}.open`, `${name}: open`);
      const bound = current.localAddress();
      if (bound && (kind === 'udpin' || kind === 'tcpin')) ctx.logger.info({ channel: name, port: bound.port }, `${name}: listening on ${formatLinkUrl({ kind, host: bound.host, port: bound.port })}`);
    } catch (err) {
      const message = (err as Error).message;
      if (kind === 'tlog') {
        replay.failed(isMavlinkBridgeError(err) ? err : new MavlinkBridgeError('OPEN_FAILED', message, { cause: err }));
        return;
      }
      vehicles.transportDown(message);
      ctx.metrics.error(name, 'open_failed');
      ctx.problems.report(`mavlink.${name}.open`, `${message}; trying again with backoff`);
      if (!state.stopping) retries.schedule(() => void open());
    }
  }

  return { open, taking: () => taking, held: () => held };
}
