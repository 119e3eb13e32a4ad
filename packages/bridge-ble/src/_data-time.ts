import type { Clock } from '@fieldbridge/core';

/**
 * The time a source measures silence and `max_rate_hz`/`on_change`/`max_interval` in, apart from
 * the stamps its points carry. Stamps come from the sink's corrected clock, which steps when it
 * learns the server's time (a gateway that booted with its clock hours off, as one without a
 * real-time clock does before NTP, jumps at its first delivery); measured on them, every device
 * would look silent at a forward step and none for as long as a backward one, and a rate limit
 * would hold every value back for as long. So adverts heard live are timed on the monotonic
 * clock; a replay's adverts on their own times.
 */
export interface DataTime {
  /** The data time of a point stamped `stampMs` just now. */
  of(stampMs: number): number;
  /** The stamp of data time `dataMs`: what a point made for it (a `presence` event) carries. */
  stampOf(dataMs: number): number;
  /** The data time now. */
  now(): number;
}

/** Adverts heard live, stamped by `clock`: timed on its monotonic clock, which never steps. */
export function liveDataTime(clock: Pick<Clock, 'now' | 'monotonicNow'>): DataTime {
  const offset = (): number => clock.now() - clock.monotonicNow();
  return {
    of: (stampMs) => stampMs - offset(),
    stampOf: (dataMs) => dataMs + offset(),
    now: () => clock.monotonicNow(),
  };
}

/** A replay's adverts: timed on their own stamps (recorded, or shifted as played), as the file holds them. */
export function recordedDataTime(clock: Pick<Clock, 'now'>): DataTime {
  return { of: (stampMs) => stampMs, stampOf: (dataMs) => dataMs, now: () => clock.now() };
}
