/** The shape of an exponential backoff. Units are in the names. */
export interface Backoff {
  /** Delay after the first failure, in ms. */
  initialDelayMs: number;
  /** Longest delay, in ms. */
  maxDelayMs: number;
  /** Growth factor per consecutive failure. */
  multiplier: number;
  /** Share of the delay randomised (0..1), so many clients do not retry in step. */
  jitter: number;
}

/**
 * The one backoff of fieldbridge: the delay before attempt `failures + 1` after `failures`
 * consecutive failures (>= 1), exponential from `initialDelayMs`, capped at `maxDelayMs`, spread
 * by +-`jitter`. `random` returns [0, 1). The sink's delivery, the WebSocket link and every
 * bridge's reconnector use it.
 */
export function backoffDelayMs(failures: number, backoff: Backoff, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * backoff.multiplier ** Math.min(60, Math.max(0, failures - 1)));
  const spread = base * backoff.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(backoff.maxDelayMs, base + spread));
}
