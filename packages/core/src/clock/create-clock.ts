import { performance } from 'node:perf_hooks';
import { PLAUSIBLE_SERVER_TIME, type Clock, type ClockSample, type SampleVerdict } from './clock.js';

/** Options of {@link createClock}. */
export interface ClockOptions {
  /** Monotonic epoch time source, in ms. Default `performance.timeOrigin + performance.now()`. */
  monotonicNow?: () => number;
  /** How many recent samples compete. Default 8. */
  windowSize?: number;
  /**
   * Samples older than this (monotonic ms) leave the window, so the offset follows the drift
   * of the local oscillator; the newest sample always stays. Default 1 800 000 (30 min).
   */
  maxSampleAgeMs?: number;
  /**
   * Assumed worst drift of the local clock against the server's, in parts per million: a
   * sample's error grows by this much with its age, so an old sample with a short round trip
   * yields to a fresh one. Default 50 (a cheap crystal).
   */
  driftPpm?: number;
  /**
   * A correction that would move `now()` backwards by less than this many ms is absorbed:
   * `now()` holds still until monotonic time catches up, so corrected timestamps never go
   * backwards. A larger correction is applied at once. Default 1000.
   */
  stepThresholdMs?: number;
  /** Told about each refused, implausible server time (to count and log it). */
  onImplausible?: (serverTimeMs: number) => void;
  /**
   * Starts synced on another clock's estimate ({@link clockSeedOf}), as one sample taken now
   * would: a sink that replaces another in the same process (a reload) goes on on the same time
   * instead of on the local clock until its own first sample. Its own samples compete with it.
   */
  seed?: ClockSeed;
}

/** Another clock's estimate, for {@link ClockOptions.seed}. */
export interface ClockSeed {
  offsetMs: number;
  /** The round trip the offset came with; unknown: taken as a coarse sample's (1000 ms). */
  roundTripMs?: number;
}

/** What `clock` knows of the server's time, as a seed for a clock that replaces it; undefined while it has no sample. */
export function clockSeedOf(clock: Pick<Clock, 'synced' | 'offsetMs' | 'roundTripMs'>): ClockSeed | undefined {
  if (!clock.synced()) return undefined;
  const roundTripMs = clock.roundTripMs();
  return roundTripMs === undefined ? { offsetMs: clock.offsetMs() } : { offsetMs: clock.offsetMs(), roundTripMs };
}

interface Estimate {
  offsetMs: number;
  roundTripMs: number;
  /** Uncertainty of this estimate when taken, in ms: half the round trip plus half the resolution. */
  errorMs: number;
  /** Monotonic time it was taken. */
  atMs: number;
}

/**
 * A {@link Clock}: monotonic epoch time plus the server offset. Each sample's offset is
 * `server - (sent + received) / 2` (the midpoint assumes a symmetric path; the error is at most
 * half the round trip). Of the samples of the window (`windowSize` newest, none older than
 * `maxSampleAgeMs`), the one with the smallest uncertainty wins, its uncertainty growing with
 * age by `driftPpm`, so one slow answer never drags the estimate. A sample that contradicts the
 * winner (their offsets differ by more than both errors together, which one server clock cannot
 * do) starts the window again: the server's clock stepped or another server answers, and the
 * newest sample is the only one that describes it. A coarse sample (an HTTP
 * `Date` header, whole seconds) is ignored when its offset is smaller than its own error: the
 * local clock is then better than the correction, and the clock counts as synced. Server times
 * outside {@link PLAUSIBLE_SERVER_TIME} are refused.
 */
export function createClock(options: ClockOptions = {}): Clock {
  const mono = options.monotonicNow ?? (() => performance.timeOrigin + performance.now());
  const windowSize = options.windowSize ?? 8;
  const maxAgeMs = options.maxSampleAgeMs ?? 1_800_000;
  const driftPerMs = (options.driftPpm ?? 50) / 1e6;
  const stepThresholdMs = options.stepThresholdMs ?? 1000;
  let window: Estimate[] = [];
  let best: Estimate | undefined;
  let last = Number.NEGATIVE_INFINITY;
  let synced = false;
  if (options.seed) {
    const roundTripMs = Math.max(0, options.seed.roundTripMs ?? 1000);
    best = { offsetMs: options.seed.offsetMs, roundTripMs, errorMs: roundTripMs / 2 + 0.5, atMs: mono() };
    window = [best];
    synced = true;
  }

  const errorAt = (e: Estimate, t: number) => e.errorMs + Math.max(0, t - e.atMs) * driftPerMs;

  return {
    now() {
      const t = mono() + (best?.offsetMs ?? 0);
      if (t >= last || last - t > stepThresholdMs) {
        last = t;
        return t;
      }
      return last;
    },
    monotonicNow: mono,
    offsetMs: () => best?.offsetMs ?? 0,
    roundTripMs: () => best?.roundTripMs,
    synced: () => synced,
    addSample(sample: ClockSample): SampleVerdict {
      const { serverTimeMs } = sample;
      if (!(serverTimeMs >= PLAUSIBLE_SERVER_TIME.minMs && serverTimeMs <= PLAUSIBLE_SERVER_TIME.maxMs)) {
        options.onImplausible?.(serverTimeMs);
        return 'implausible';
      }
      synced = true;
      const roundTripMs = Math.max(0, sample.receivedAtMs - sample.sentAtMs - Math.max(0, sample.serverHoldMs ?? 0));
      const resolutionMs = sample.resolutionMs ?? 1;
      // A coarse server time (whole seconds) is on average half a unit behind the truth.
      const serverMs = sample.serverTimeMs + (resolutionMs > 1 ? resolutionMs / 2 : 0);
      const offsetMs = serverMs - (sample.sentAtMs + sample.receivedAtMs) / 2;
      const errorMs = roundTripMs / 2 + resolutionMs / 2;
      if (resolutionMs > 1 && Math.abs(offsetMs) < errorMs) return 'confirmed';
      const t = mono();
      // Error bounds that do not overlap cannot both hold for one server clock: it was stepped (a
      // gateway restarted with a corrected clock) or another server answers (a new connection,
      // another node behind a load balancer). The old samples describe a clock that is gone, so
      // the window starts again; otherwise a short old round trip would keep the stale offset.
      if (best && Math.abs(offsetMs - best.offsetMs) > errorAt(best, t) + errorMs) window = [];
      window.push({ offsetMs, roundTripMs, errorMs, atMs: t });
      if (window.length > windowSize) window.shift();
      const newest = window[window.length - 1]!;
      window = window.filter((e) => e === newest || t - e.atMs <= maxAgeMs);
      best = window.reduce((a, b) => (errorAt(b, t) < errorAt(a, t) ? b : a));
      return 'used';
    },
  };
}
