import { createDeviceClock, createHandOver, type DeviceClock } from '@fieldbridge/core/bridge';
import type { CanBridgeError } from './errors.js';
import type { CanFrame } from './frames/can-frame.js';
import type { SocketCanOptions, SocketCanReader } from './frames/socketcan-reader.js';

/** Frames held while no instance reads the socket (a reload, between one's stop and the next one's start): at most this many, a few seconds of a saturated 1 Mbit/s bus. */
export const MAX_HELD_FRAMES = 50_000;

/** What the instance reading a kept socket is told. */
export interface SocketListener {
  /** A frame; `waitedMs` is set for one held while no instance read. */
  frame(frame: CanFrame, waitedMs?: number): void;
  /** The interface went down or away: the socket reads nothing more. */
  stopped(error: CanBridgeError): void;
  /** A frame's handler threw. */
  error(err: unknown): void;
}

/**
 * A SocketCAN socket kept open across SIGHUP reloads (`ctx.keepOpen`), read by one instance of
 * the bus at a time: frames that arrive while none reads are held, bounded, and read first by
 * the next. Its kernel-stamp clock estimate stays with it, so held frames are placed on the
 * sink's clock by what was learnt before the reload.
 */
export interface KeptSocket {
  readonly reader: SocketCanReader;
  readonly deviceClock: DeviceClock;
  /**
   * Makes `listener` the reader: the frames held since the last `detach` come first; an end of
   * the socket seen meanwhile is told at once. Returns how many frames were dropped meanwhile
   * because the hold was full.
   */
  attach(listener: SocketListener): number;
  /** The instance stops reading: frames are held for the next `attach`. */
  detach(): void;
}

/**
 * Opens a socket through `open` (the reader's options minus its callbacks), read by `first`
 * from the start.
 */
export async function openKeptSocket(
  open: (callbacks: Pick<SocketCanOptions, 'onFrame' | 'onStopped' | 'onError'>) => Promise<SocketCanReader>,
  first: SocketListener,
): Promise<KeptSocket> {
  let listener: SocketListener | undefined = first;
  let stopped: CanBridgeError | undefined;
  const frames = createHandOver<CanFrame>({ maxItems: MAX_HELD_FRAMES }, (frame) => first.frame(frame));
  const reader = await open({
    onFrame: (frame) => frames.push(frame),
    onStopped(error) {
      stopped = error;
      listener?.stopped(error);
    },
    onError: (err) => listener?.error(err),
  });
  return {
    reader,
    deviceClock: createDeviceClock(),
    attach(next) {
      listener = next;
      const lost = frames.attach((frame, waitedMs) => next.frame(frame, waitedMs));
      if (stopped) next.stopped(stopped);
      return lost;
    },
    detach() {
      listener = undefined;
      frames.detach();
    },
  };
}
