import { sleep } from '../shared/wait.js';

/** How the wait for one frame's `ack` (or, from a server without acks, its confirming pong) ended. */
export type AckOutcome =
  | { status: 'acked' }
  /** The server answered the frame with an `error` frame naming its trace id. */
  | { status: 'error'; code: string | undefined; detail: string }
  /** The connection dropped, the wait timed out, or the sink is stopping. */
  | { status: 'lost'; reason: string; timedOut?: boolean };

/** Frames waiting for their `ack`, by trace id. */
export interface AckTracker {
  /** Starts waiting for `traceId`; resolves when it is settled, never rejects. */
  expect(traceId: string): Promise<AckOutcome>;
  /** Settles one frame (an `ack` or an `error` frame); false when nothing waited for it. */
  settle(traceId: string, outcome: AckOutcome): boolean;
  /** Settles every waiting frame as lost (the connection dropped). */
  loseAll(reason: string): void;
  /**
   * Waits for every outcome, at most `timeoutMs`; what is still waiting is then lost, with
   * `timedOut` set and `what` (e.g. `ack`, `pong`) named in the reason.
   */
  all(traceIds: string[], waits: Array<Promise<AckOutcome>>, timeoutMs: number, what: string, signal?: AbortSignal): Promise<AckOutcome[]>;
}

/** Creates an {@link AckTracker}. */
export function createAckTracker(): AckTracker {
  const waiting = new Map<string, (outcome: AckOutcome) => void>();

  const settle = (traceId: string, outcome: AckOutcome) => {
    const resolve = waiting.get(traceId);
    if (!resolve) return false;
    waiting.delete(traceId);
    resolve(outcome);
    return true;
  };

  return {
    expect(traceId) {
      // A retry of a frame still waiting from an earlier attempt takes its place.
      settle(traceId, { status: 'lost', reason: 'sent again' });
      return new Promise((resolve) => waiting.set(traceId, resolve));
    },
    settle,
    loseAll(reason) {
      for (const traceId of [...waiting.keys()]) settle(traceId, { status: 'lost', reason });
    },
    async all(traceIds, waits, timeoutMs, what, signal) {
      const stop = new AbortController();
      const timer = sleep(timeoutMs, stop.signal, signal).then(() => {
        const outcome: AckOutcome = signal?.aborted
          ? { status: 'lost', reason: `stopped while waiting for the ${what}` }
          : { status: 'lost', reason: `no ${what} within ${timeoutMs} ms`, timedOut: true };
        for (const traceId of traceIds) settle(traceId, outcome);
      });
      const outcomes = await Promise.all(waits);
      stop.abort();
      await timer;
      return outcomes;
    },
  };
}
