import { formatDuration } from '@fieldbridge/core/bridge';
import { judgeCounter, type CounterMemory, type CounterRestart } from './bthome-counter.js';

/** What to do with a decrypted advert, by its encryption counter; `refused` says why, as a `replayed_counter` message. */
export type CounterGuard = { kind: 'accept'; restart?: CounterRestart } | { kind: 'duplicate' } | { kind: 'refused'; message: string };

function replayedMessage(counter: number, lastAccepted: number, waitLeftMs: number | undefined): string {
  const head = `encryption counter ${counter} is lower than the last accepted ${lastAccepted}: a replayed or stale advert`;
  if (waitLeftMs === undefined) return `${head} (counter_restart_after_s is never: a sensor whose counter restarted is accepted again after the bridge restarts)`;
  const restarted = `${head}, or the sensor's counter restarted (a battery change?)`;
  if (waitLeftMs === 0) return `${restarted}: its next higher counter becomes the new baseline (counter_restart_after_s has passed)`;
  return `${restarted}: if its counters keep rising, with none above ${lastAccepted} meanwhile, for ${formatDuration(Math.ceil(waitLeftMs / 1000) * 1000)} more, they become the new baseline (counter_restart_after_s)`;
}

/**
 * The replay protection every encrypted format shares: {@link judgeCounter} on `memory`, a
 * refusal worded for the device's problem report. `shown` turns the counters judged into those
 * the device sends, for messages and the restart it reports (see {@link extendWrapping}).
 */
export function guardCounter(memory: CounterMemory, counter: number, atMs: number, restartAfterMs: number, shown: (counter: number) => number = (c) => c): CounterGuard {
  const verdict = judgeCounter(memory, counter, atMs, restartAfterMs);
  if (verdict.kind === 'duplicate') return verdict;
  if (verdict.kind === 'replayed') return { kind: 'refused', message: replayedMessage(shown(counter), shown(verdict.lastAccepted), verdict.waitLeftMs) };
  if (!verdict.restart) return { kind: 'accept' };
  const r = verdict.restart;
  return { kind: 'accept', restart: { ...r, previous: shown(r.previous), from: shown(r.from), counter: shown(r.counter) } };
}

/**
 * A counter of `bits` bits that wraps (the pvvx firmware's one byte wraps every 256
 * measurements) as a number that keeps rising, so that {@link judgeCounter} can compare it:
 * up to half the range ahead of `last` (the last accepted, extended) is newer, the rest is older,
 * as serial number arithmetic reads it (RFC 1982). Without `last`, the value itself.
 */
export function extendWrapping(value: number, bits: number, last: number | undefined): number {
  if (last === undefined) return value;
  const range = 2 ** bits;
  const ahead = (((value - last) % range) + range) % range;
  return ahead < range / 2 ? last + ahead : last + ahead - range;
}

/** The counter a device sends for an extended one (see {@link extendWrapping}). */
export const wrapped = (bits: number) => (extended: number): number => ((extended % 2 ** bits) + 2 ** bits) % 2 ** bits;
