import { createHandOver } from '@fieldbridge/core/bridge';
import type { LinkChunk, LinkHandlers, LinkState, MavlinkLink } from './link.js';

/** Chunks held while no instance reads the link (a reload between stop and start): at most this many... */
export const MAX_HELD_CHUNKS = 20_000;
/** ...and at most this many bytes (about 25 s of a busy 57,600 baud radio link's frames, many times what a reload takes). */
export const MAX_HELD_BYTES = 8 * 1024 * 1024;

/**
 * A started datagram link (udpin, udpout) kept open across SIGHUP reloads (`ctx.keepOpen`), read by one bridge instance at
 * a time. While none is attached (the old one stopped, the new one not yet started) what arrives
 * is held in order, bounded; the next `attach` hands it over first, so that every datagram is
 * read once, by one instance.
 */
export interface HeldLink {
  readonly link: MavlinkLink;
  /**
   * Makes `handlers` the link's reader: they are told the link's last state, then every chunk held
   * since the last `detach`, then what arrives. Returns how many chunks were dropped meanwhile
   * because the hold was full.
   */
  attach(handlers: LinkHandlers): number;
  /** The reader stops reading: what arrives from now on is held for the next `attach`. */
  detach(): void;
  /** Closes the link for good (what is held is dropped). */
  close(): Promise<void>;
}

/** Starts `link` and holds it for instance after instance; rejects as its `start` does (a port in use). */
export async function startHeldLink(link: MavlinkLink): Promise<HeldLink> {
  let reader: LinkHandlers | undefined;
  const chunks = createHandOver<LinkChunk>({ maxItems: MAX_HELD_CHUNKS, maxBytes: MAX_HELD_BYTES, sizeOf: (chunk) => chunk.bytes.length });
  let last: { state: LinkState; detail: string | undefined } | undefined;

  await link.start({
    data: (chunk) => chunks.push(chunk),
    state(state, detail) {
      last = { state, detail };
      reader?.state?.(state, detail);
    },
  });

  return {
    link,
    attach(handlers) {
      reader = handlers;
      if (last) handlers.state?.(last.state, last.detail);
      return chunks.attach((chunk, waitedMs) => handlers.data(waitedMs === undefined ? chunk : { ...chunk, waitedMs }));
    },
    detach() {
      reader = undefined;
      chunks.detach();
    },
    close: () => link.close(),
  };
}
