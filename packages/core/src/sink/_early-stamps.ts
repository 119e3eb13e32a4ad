import type { Clock } from '../clock/clock.js';

/** Stamps remembered while the clock has no server sample (the first second or so of a run). */
const MAX_REMEMBERED = 100_000;

/** The sink's clock as bridges see it, remembering the stamps it gives before the first sample. */
export interface EarlyStamps {
  /** `clock` with `now()` remembering what it answers while `provisional()` holds. */
  readonly clock: Clock;
  /** True when `timestamp` is a stamp `clock.now()` gave while the sink was provisional. */
  has(timestamp: number): boolean;
}

/**
 * Bridges stamp receipt times with `ctx.clock.now()` (the sink's clock) before they write. Until
 * the clock has a server sample such a stamp is as provisional as one the sink makes itself, and
 * is moved onto the receiver's clock the same way when its batch goes out: remembered here, the
 * sink's write path knows it from a device's own time. Once synced nothing more is remembered.
 */
export function rememberEarlyStamps(clock: Clock, provisional: () => boolean): EarlyStamps {
  let given: Set<number> | undefined = new Set();
  const early = (): Set<number> | undefined => {
    if (given !== undefined && !provisional()) given = undefined;
    return given;
  };
  // Each method called on `clock` itself: a caller's clock may be a class with private state.
  const wrapped: Clock = {
    now(): number {
      const t = clock.now();
      const set = early();
      if (set !== undefined && set.size < MAX_REMEMBERED) set.add(t);
      return t;
    },
    monotonicNow: () => clock.monotonicNow(),
    offsetMs: () => clock.offsetMs(),
    roundTripMs: () => clock.roundTripMs(),
    synced: () => clock.synced(),
    addSample: (sample) => clock.addSample(sample),
  };
  return {
    clock: wrapped,
    has: (timestamp) => early()?.has(timestamp) === true,
  };
}
