/** The callbacks waiting on each signal, behind one listener per signal. */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `callback` when `signal` aborts; the returned function stops waiting. The signal gets one
 * listener however many callbacks come and go: a listener added and removed per wait on a
 * long-lived signal (a delivery lane's, the WebSocket acknowledgement waits) left about twice as
 * much to the old generation per wait as an entry in this set, measured at thousands of waits a
 * second. The caller checks `signal.aborted` first.
 */
export function whenAborted(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = watchers.get(signal);
  if (callbacks === undefined) {
    const waiting = new Set<() => void>();
    watchers.set(signal, waiting);
    signal.addEventListener(
      'abort',
      () => {
        for (const run of [...waiting]) run();
        waiting.clear();
      },
      { once: true },
    );
    callbacks = waiting;
  }
  const set = callbacks;
  set.add(callback);
  return () => void set.delete(callback);
}
