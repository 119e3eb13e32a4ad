import type { Clock } from '../clock/clock.js';

/** Stamps remembered while the clock has no server sample (the first second or so of a run). */
const MAX_REMEMBERED = 100_000;

/** The sink's clock as bridges and rules see it, remembering the stamps it gives before the first sample. */
export interface EarlyStamps {
  /** `clock` with `now()` remembering what it answers while `provisional()` holds. */
  readonly clock: Clock;
  /** True when `timestamp` is a stamp `clock.now()` gave while the sink was provisional (then or later: they are kept). */
  has(timestamp: number): boolean;
  /**
   * The offset every provisional stamp of this run is moved onto server time with: the clock's
   * offset when first asked once it is synced, then never changed, so a stamp written twice (a
   * fired alert's `timestamp`, and the `fired_at` of its resolved event sent in a later batch)
   * lands on the same time to the digit. Undefined while the clock is not synced.
   */
  offsetMs(): number | undefined;
}

/**
 * Bridges stamp receipt times with `ctx.clock.now()` (the sink's clock) before they write, and
 * rules stamp their events with it. Until the clock has a server sample such a stamp is as
 * provisional as one the sink makes itself, and is moved onto the receiver's clock the same way:
 * remembered here, the sink's write path knows it from a device's own time, in a point's
 * `timestamp` or in its event value (an alert's `since`, `fired_at`), and moves it whenever it
 * is written, before the first sample or after. Once synced nothing more is remembered; what was
 * is kept (at most {@link MAX_REMEMBERED} stamps).
 */
export function rememberEarlyStamps(clock: Clock, provisional: () => boolean): EarlyStamps {
  const given = new Set<number>();
  let offset: number | undefined;
  // Each method called on `clock` itself: a caller's clock may be a class with private state.
  const wrapped: Clock = {
    now(): number {
      const t = clock.now();
      if (given.size < MAX_REMEMBERED && provisional()) given.add(t);
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
    has: (timestamp) => given.has(timestamp),
    offsetMs() {
      if (offset === undefined && clock.synced()) offset = clock.offsetMs();
      return offset;
    },
  };
}
