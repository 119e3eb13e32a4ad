/**
 * A run of adverts whose counters are below the last accepted one and rise among themselves:
 * a sensor that restarted its counter (a battery change), or a replay, until time tells.
 * Four numbers per device, whatever the device sends.
 */
export interface CounterRestartCandidate {
  /** The counter of the run's first advert. */
  firstCounter: number;
  /** The highest counter of the run so far. */
  lastCounter: number;
  /** Receipt time of the run's first advert, ms. */
  sinceMs: number;
  /** Adverts of the run refused so far (repeats of a counter included). */
  refused: number;
}

/** What the encryption memory of one device holds: the last accepted counter and a restart under way. */
export interface CounterMemory {
  counter?: number;
  restart?: CounterRestartCandidate;
}

/** A counter restart accepted: the lower run became the device's baseline. */
export interface CounterRestart {
  /** The last counter accepted before the restart. */
  previous: number;
  /** The counter the new run started from. */
  from: number;
  /** The counter accepted now, the new baseline. */
  counter: number;
  /** How long the run went on before it was accepted, ms. */
  afterMs: number;
  /** Adverts of the run refused while it went on. */
  refused: number;
}

/** What to do with one decrypted advert's counter. */
export type CounterVerdict =
  | { kind: 'accept'; restart?: CounterRestart }
  | { kind: 'duplicate' }
  | { kind: 'replayed'; lastAccepted: number; waitLeftMs?: number };

/**
 * Judges the encryption counter of an advert received at `atMs` against `memory`, and updates
 * it. A higher counter is accepted (and ends any restart under way: the old sequence goes on);
 * the same counter is a duplicate; a lower one is refused as replayed. With `restartAfterMs`
 * above 0, lower counters that rise among themselves for that long, with nothing accepted in
 * between, are a restarted counter (a battery change): the advert that completes the wait is
 * accepted and becomes the baseline. A lower counter that falls below the run's last one
 * starts the wait again from itself. With 0 a lower counter is always refused.
 */
export function judgeCounter(memory: CounterMemory, counter: number, atMs: number, restartAfterMs: number): CounterVerdict {
  const last = memory.counter;
  if (last === undefined || counter > last) {
    memory.counter = counter;
    delete memory.restart;
    return { kind: 'accept' };
  }
  if (counter === last) return { kind: 'duplicate' };
  if (restartAfterMs <= 0) return { kind: 'replayed', lastAccepted: last };
  const run = memory.restart;
  if (!run || counter < run.lastCounter) {
    memory.restart = { firstCounter: counter, lastCounter: counter, sinceMs: atMs, refused: 1 };
    return { kind: 'replayed', lastAccepted: last, waitLeftMs: restartAfterMs };
  }
  const afterMs = atMs - run.sinceMs;
  if (counter > run.lastCounter && afterMs >= restartAfterMs) {
    memory.counter = counter;
    delete memory.restart;
    return { kind: 'accept', restart: { previous: last, from: run.firstCounter, counter, afterMs, refused: run.refused } };
  }
  run.lastCounter = counter;
  run.refused += 1;
  return { kind: 'replayed', lastAccepted: last, waitLeftMs: Math.max(0, restartAfterMs - afterMs) };
}
