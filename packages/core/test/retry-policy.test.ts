import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, backoffDelayMs, parseRetryAfterMs } from '../src/index.js';

describe('backoff', () => {
  it('grows exponentially up to the cap, within the jitter band', () => {
    const lo = () => 0;
    const hi = () => 0.999999;
    expect(backoffDelayMs(1, DEFAULT_RETRY, lo)).toBeCloseTo(400);
    expect(backoffDelayMs(1, DEFAULT_RETRY, hi)).toBeCloseTo(600);
    expect(backoffDelayMs(3, DEFAULT_RETRY, () => 0.5)).toBe(2000);
    expect(backoffDelayMs(30, DEFAULT_RETRY, hi)).toBe(DEFAULT_RETRY.maxDelayMs);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP date', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores garbage and caps absurd waits at an hour', () => {
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('999999', now)).toBe(3_600_000);
  });
});
