import { performance } from 'node:perf_hooks';
import type { Clock, ClockSample } from './clock.js';

/** Options of {@link createClock}. */
export interface ClockOptions {
  /** Monotonic epoch time source, in ms. Default `performance.timeOrigin + performance.now()`. */
  monotonicNow?: () => number;
  /** How many recent samples compete; the lowest round trip wins. Default 8. */
  windowSize?: number;
}

interface Estimate {
  offsetMs: number;
  roundTripMs: number;
  /** Uncertainty of this estimate in ms: half the round trip plus half the resolution. */
  errorMs: number;
}

/**
 * A {@link Clock}: monotonic epoch time plus the server offset. Each sample's offset is
 * `server - (sent + received) / 2` (the midpoint assumes a symmetric path; the error is at most
 * half the round trip). Of the last `windowSize` samples, the one with the smallest
 * uncertainty wins, so one slow answer never drags the estimate. A coarse sample (an HTTP
 * `Date` header, whole seconds) is ignored when its offset is smaller than its own error: the
 * local clock is then better than the correction.
 */
export function createClock(options: ClockOptions = {}): Clock {
  const mono = options.monotonicNow ?? (() => performance.timeOrigin + performance.now());
  const windowSize = options.windowSize ?? 8;
  const window: Estimate[] = [];
  let best: Estimate | undefined;

  return {
    now: () => mono() + (best?.offsetMs ?? 0),
    monotonicNow: mono,
    offsetMs: () => best?.offsetMs ?? 0,
    roundTripMs: () => best?.roundTripMs,
    addSample(sample: ClockSample) {
      const roundTripMs = Math.max(0, sample.receivedAtMs - sample.sentAtMs);
      const resolutionMs = sample.resolutionMs ?? 1;
      // A coarse server time (whole seconds) is on average half a unit behind the truth.
      const serverMs = sample.serverTimeMs + (resolutionMs > 1 ? resolutionMs / 2 : 0);
      const offsetMs = serverMs - (sample.sentAtMs + sample.receivedAtMs) / 2;
      const errorMs = roundTripMs / 2 + resolutionMs / 2;
      if (resolutionMs > 1 && Math.abs(offsetMs) < errorMs) return;
      window.push({ offsetMs, roundTripMs, errorMs });
      if (window.length > windowSize) window.shift();
      best = window.reduce((a, b) => (b.errorMs < a.errorMs ? b : a));
    },
  };
}
