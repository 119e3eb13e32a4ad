/**
 * When, and at which counter (extended past its wraps), a device's wrapping encryption counter
 * was first and last accepted: its pace, counts per ms.
 */
export interface CounterPace {
  firstMs: number;
  firstCounter: number;
  lastMs: number;
  lastCounter: number;
}

/**
 * The pvvx firmware's default measurement interval, which advances its counter: the pace taken
 * for a device heard at one counter only.
 */
const DEFAULT_PERIOD_MS = 10_000;

/**
 * Whether a device silent since its last accepted counter may have counted so far meanwhile that
 * its counter can no longer be compared with that one: a wrapping counter of `bits` bits reads
 * as newer only up to half its range ahead, and past three quarters of that (96 of a byte's
 * 128), at the pace it kept, the counter it sends now could read as older. Its memory is then
 * forgotten rather than its adverts refused as replays (a thermometer out of range for half an
 * hour would otherwise send nothing until `counter_restart_after_s` passed).
 */
export function paceLost(pace: CounterPace, atMs: number, bits: number): boolean {
  const counted = pace.lastCounter - pace.firstCounter;
  const periodMs = counted > 0 && pace.lastMs > pace.firstMs ? (pace.lastMs - pace.firstMs) / counted : DEFAULT_PERIOD_MS;
  return (atMs - pace.lastMs) / periodMs >= (2 ** bits / 2) * 0.75;
}

/** The pace after `counter` was accepted at `atMs`: a new object, so a memory held aside keeps the old one. */
export function paceAfter(pace: CounterPace | undefined, counter: number, atMs: number): CounterPace {
  return pace ? { ...pace, lastMs: atMs, lastCounter: counter } : { firstMs: atMs, firstCounter: counter, lastMs: atMs, lastCounter: counter };
}
