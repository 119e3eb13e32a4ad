import { createReconnector, RECONNECT_DEFAULTS } from '@fieldbridge/core/bridge';
import { MavlinkBridgeError } from './errors.js';
import type { LinkHandlers, LinkState, LinkStats, MavlinkLink, ReconnectOptions } from './link.js';
import type { LinkSpec } from './link-url.js';

/** One open connection (a socket, a serial port) as the reconnecting link drives it. */
export interface OpenStream {
  write(bytes: Uint8Array): Promise<void>;
  pause(): void;
  resume(): void;
  /** Closes it; resolves once closed. */
  destroy(): Promise<void>;
}

/**
 * Opens a connection; `closed` is called (once) when an open connection goes away. Rejects when
 * the attempt fails, and promptly when `signal` aborts (the link is closing), so that nothing
 * half-open outlives `close()`.
 */
export type Connector = (events: { data(bytes: Buffer): void; closed(reason: string): void }, signal: AbortSignal) => Promise<OpenStream>;

/**
 * A link over one connection at a time that reopens it after it fails or drops, paced by the
 * kit's reconnector: the shared part of the tcp and serial links.
 */
export function createReconnectingLink(spec: LinkSpec, peer: string, connect: Connector, options: ReconnectOptions = {}): MavlinkLink {
  const stats: LinkStats = { chunks: 0, bytes: 0, dropped: 0, errors: 0 };
  const reconnector = createReconnector({
    initialMs: options.initialMs ?? RECONNECT_DEFAULTS.initialMs,
    maxMs: options.maxMs ?? RECONNECT_DEFAULTS.maxMs,
    ...(options.stableMs === undefined ? {} : { stableMs: options.stableMs }),
    ...(options.random ? { random: options.random } : {}),
  });
  const abort = new AbortController();
  let handlers: LinkHandlers | undefined;
  let current: OpenStream | undefined;
  let generation = 0;
  let paused = false;
  let closing: Promise<void> | undefined;
  let attempt: Promise<void> | undefined;

  const state = (s: LinkState, detail?: string): void => handlers?.state?.(s, detail);
  const retry = (): void => {
    if (!closing) reconnector.schedule(() => void tryOpen());
  };

  function tryOpen(): Promise<void> {
    attempt = open().finally(() => {
      attempt = undefined;
    });
    return attempt;
  }

  async function open(): Promise<void> {
    const id = ++generation;
    try {
      const stream = await connect(
        {
          data(bytes) {
            stats.chunks += 1;
            stats.bytes += bytes.length;
            handlers?.data({ bytes, peer, datagram: false });
          },
          closed(reason) {
            if (id !== generation || closing) return;
            current = undefined;
            state('reconnecting', reason);
            retry();
          },
        },
        abort.signal,
      );
      if (closing) {
        await stream.destroy();
        return;
      }
      current = stream;
      reconnector.connected();
      if (paused) stream.pause();
      state('open');
    } catch (err) {
      if (closing) return;
      stats.errors += 1;
      state('reconnecting', err instanceof Error ? err.message : String(err));
      retry();
    }
  }

  return {
    spec,
    async start(h) {
      handlers = h;
      await tryOpen();
    },
    async send(bytes) {
      if (!current) return 0;
      try {
        await current.write(bytes);
      } catch (err) {
        throw new MavlinkBridgeError('SEND_FAILED', `could not send to ${peer}: ${(err as Error).message}`, { cause: err });
      }
      return 1;
    },
    peers: () => (current ? [peer] : []),
    localAddress: () => undefined,
    pause() {
      paused = true;
      current?.pause();
    },
    resume() {
      paused = false;
      current?.resume();
    },
    stats: () => ({ ...stats }),
    close() {
      closing ??= (async () => {
        reconnector.cancel();
        generation += 1;
        abort.abort();
        const open = current;
        current = undefined;
        await Promise.all([open?.destroy(), attempt]);
        state('closed');
      })();
      return closing;
    },
  };
}
