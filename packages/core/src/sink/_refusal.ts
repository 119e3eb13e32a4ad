import type { ConnectionObserver } from '../transport/transport.js';

/** How the receiver answers, as the sink last heard: not yet, answering, not answering, refusing our credentials. */
export type ReceiverState = 'waiting' | 'up' | 'down' | 'refused';

/** A {@link ConnectionObserver} that also remembers how the receiver answers, and whether it refuses our credentials. */
export interface RefusalTracker {
  /** Passes every report on to the observer it wraps. */
  readonly observer: ConnectionObserver;
  /** True from a refusal until the receiver answers again. */
  refused(): boolean;
  /** The receiver's state, and why it is down or refuses (the last reason given). */
  receiver(): { state: ReceiverState; reason?: string };
}

/**
 * Wraps the sink's connection events so a refusal counts from the moment it is heard: a WebSocket
 * whose `device_auth` is refused is refused at once, not when the delivery loop next tries a batch
 * (which may wait for a clock sample that connection never gives). The flag changes before the
 * event is emitted, so an `auth_failed` listener already sees `status().refused`.
 */
export function trackRefusal(inner: ConnectionObserver): RefusalTracker {
  let refused = false;
  let state: ReceiverState = 'waiting';
  let reason: string | undefined;
  return {
    refused: () => refused,
    receiver: () => (reason === undefined ? { state } : { state, reason }),
    observer: {
      up() {
        refused = false;
        state = 'up';
        reason = undefined;
        inner.up();
      },
      down(why) {
        // A refusal stays the state until the receiver answers again: the key is what to fix.
        if (!refused) {
          state = 'down';
          reason = why;
        }
        inner.down(why);
      },
      retrying: (attempt, delayMs) => inner.retrying(attempt, delayMs),
      refused(message, status) {
        refused = true;
        state = 'refused';
        reason = message;
        inner.refused(message, status);
      },
    },
  };
}
