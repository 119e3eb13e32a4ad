import type { Backoff } from '../shared/backoff.js';

/** How the delivery loop waits between attempts. Units are in the names; defaults in TSDoc. */
export interface RetryOptions extends Backoff {
  /** First backoff delay in ms. Default 500. */
  initialDelayMs: number;
  /** Longest backoff delay in ms. Default 30 000. */
  maxDelayMs: number;
  /** Growth factor per consecutive failure. Default 2. */
  multiplier: number;
  /** Share of the delay randomised (0..1), so many bridges don't retry in step. Default 0.2. */
  jitter: number;
  /**
   * Attempts at a batch answered 500 before it is dead-lettered. Default 8: about a minute at the
   * default backoff while the receiver answers every request so (a deploy, a database restart
   * behind it), a few seconds for a batch it refuses while it takes others (the backoff starts
   * over at each success).
   */
  maxServerErrorAttempts: number;
  /** Wait between probes while the receiver refuses our key (401/403), in ms. Default 60 000. */
  authProbeIntervalMs: number;
}

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: RetryOptions = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
  maxServerErrorAttempts: 8,
  authProbeIntervalMs: 60_000,
};

/**
 * Reads a `Retry-After` header: delay-seconds or an HTTP date. Returns ms to wait from
 * `nowMs`, or undefined when absent or unreadable. Capped at one hour so a wrong header can't
 * park delivery for days.
 */
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const cap = 3_600_000;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(cap, Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(cap, Math.max(0, date - nowMs));
}
