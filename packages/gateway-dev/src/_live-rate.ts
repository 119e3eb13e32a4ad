/** Length of the window a rate is measured over. */
export const RATE_WINDOW_MS = 5000;
/** A series or source that starts (or starts again) gets a first rate after this long, not a whole window. */
export const FIRST_RATE_MS = 1000;
/** A slow one's rate is measured over this many of its usual intervals (when longer than {@link RATE_WINDOW_MS}). */
const RATE_INTERVALS = 2;
/** One that started and had no second arrival within this long has no rate (and is no longer watched for one). */
const RATE_GIVE_UP_MS = 10 * 60_000;

/**
 * How fast points arrive, measured at the stream's commits, for a series and for a source alike:
 * a tag every 30 s is 0.0333/s, never one arrival in a short window's worth (1/s), nor 0 between
 * its points.
 */
export interface RateWindow {
  /** The rate last reported, points/s. */
  rate: number;
  /** True while it is measured: from an arrival until a window without one. */
  active: boolean;
  windowStartMs: number;
  windowCount: number;
  /** False until its first rate is reported (then the window is {@link RATE_WINDOW_MS}, or two of its usual intervals). */
  rateKnown: boolean;
}

export function createRateWindow(): RateWindow {
  return { rate: 0, active: false, windowStartMs: 0, windowCount: 0, rateKnown: false };
}

/**
 * `n` points arrived by the commit at `now`. One starting (again) starts its window at this
 * arrival: its points belong to the time before, so a rate counts only what came after (one
 * arrival is no rate yet).
 */
export function rateArrival(w: RateWindow, n: number, now: number): void {
  if (!w.active) {
    w.active = true;
    w.windowStartMs = now;
    w.windowCount = 0;
  } else w.windowCount += n;
}

/**
 * The rate once its window ended at `now`, undefined before; `everyMs` is its usual interval
 * between arrivals. A rate of 0 ends the measuring until the next arrival.
 */
export function rateAt(w: RateWindow, now: number, everyMs: number): number | undefined {
  const elapsed = now - w.windowStartMs;
  // A slow one (a tag every 30 s, or a batch every 10 s) over two of its intervals, so its rate
  // is its own and not one arrival in a short window's worth.
  const windowMs = w.rateKnown ? Math.max(RATE_WINDOW_MS, RATE_INTERVALS * everyMs) : FIRST_RATE_MS;
  if (elapsed < windowMs) return undefined;
  if (!w.rateKnown && w.windowCount === 0 && elapsed < RATE_GIVE_UP_MS) return undefined;
  const rate = roundRate((w.windowCount * 1000) / elapsed);
  w.windowStartMs = now;
  w.windowCount = 0;
  w.rateKnown = rate > 0;
  w.rate = rate;
  if (rate === 0) w.active = false;
  return rate;
}

/** A rate to two decimals, or three significant digits below 10/s (a tag every 5 min is 0.00333/s, not 0). */
const roundRate = (n: number): number => (n >= 10 ? Math.round(n * 100) / 100 : Number(n.toPrecision(3)));
