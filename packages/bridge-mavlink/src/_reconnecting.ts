import { MavlinkBridgeError } from './errors.js';
import { reconnectDelayMs, type LinkHandlers, type LinkState, type LinkStats, type MavlinkLink, type ReconnectOptions } from './link.js';
import type { LinkSpec } from './link-url.js';

/** One open connection (a socket, a serial port) as the reconnecting link drives it. */
export interface OpenStream {
  write(bytes: Uint8Array): Promise<void>;
  pause(): void;
  resume(): void;
  /** Closes it; resolves once closed. */
  destroy(): Promise<void>;
}

/** Opens a connection; `closed` is called (once) when an open connection goes away. Rejects when the attempt fails. */
export type Connector = (events: { data(bytes: Buffer): void; closed(reason: string): void }) => Promise<OpenStream>;

/**
 * A link over one connection at a time that reopens it with backoff after it fails or drops:
 * the shared part of the tcp and serial links.
 */
export function createReconnectingLink(spec: LinkSpec, peer: string, connect: Connector, options: ReconnectOptions = {}): MavlinkLink {
  const stats: LinkStats = { chunks: 0, bytes: 0, dropped: 0, errors: 0 };
  let handlers: LinkHandlers | undefined;
  let current: OpenStream | undefined;
  let generation = 0;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;
  let closing: Promise<void> | undefined;

  const state = (s: LinkState, detail?: string): void => handlers?.state?.(s, detail);

  const schedule = (): void => {
    if (closing) return;
    timer = setTimeout(() => void tryOpen(), reconnectDelayMs(attempt++, options));
  };

  async function tryOpen(): Promise<void> {
    const id = ++generation;
    try {
      const stream = await connect({
        data(bytes) {
          stats.chunks += 1;
          stats.bytes += bytes.length;
          handlers?.data({ bytes, peer, datagram: false });
        },
        closed(reason) {
          if (id !== generation || closing) return;
          current = undefined;
          state('reconnecting', reason);
          schedule();
        },
      });
      if (closing) {
        await stream.destroy();
        return;
      }
      current = stream;
      attempt = 0;
      if (paused) stream.pause();
      state('open');
    } catch (err) {
      stats.errors += 1;
      state('reconnecting', err instanceof Error ? err.message : String(err));
      schedule();
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
        clearTimeout(timer);
        generation += 1;
        const open = current;
        current = undefined;
        await open?.destroy();
        state('closed');
      })();
      return closing;
    },
  };
}
