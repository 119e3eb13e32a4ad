import type { ConnectionObserver } from '../transport/transport.js';

/** A {@link ConnectionObserver} that also remembers whether the receiver refuses our credentials. */
export interface RefusalTracker {
  /** Passes every report on to the observer it wraps. */
  readonly observer: ConnectionObserver;
  /** True from a refusal until the receiver answers again. */
  refused(): boolean;
}

/**
 * Wraps the sink's connection events so a refusal counts from the moment it is heard: a WebSocket
 * whose `device_auth` is refused is refused at once, not when the delivery loop next tries a batch
 * (which may wait for a clock sample that connection never gives). The flag changes before the
 * event is emitted, so an `auth_failed` listener already sees `status().refused`.
 */
export function trackRefusal(inner: ConnectionObserver): RefusalTracker {
  let refused = false;
  return {
    refused: () => refused,
    observer: {
      up() {
        refused = false;
        inner.up();
      },
      down: (reason) => inner.down(reason),
      retrying: (attempt, delayMs) => inner.retrying(attempt, delayMs),
      refused(message, status) {
        refused = true;
        inner.refused(message, status);
      },
    },
  };
}
