import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from '../src/sink/rate-limiter.js';

describe('rate limiter (backlog pacing)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets a second of points through, then paces at the configured rate', async () => {
    const limiter = createRateLimiter(1000, () => Date.now());
    const signal = new AbortController().signal;
    await limiter.take(1000, signal);
    let done = false;
    const next = limiter.take(500, signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(done).toBe(true);
    await next;
    // 500 more points are now owed: the third call waits half a second.
    let third = false;
    const after = limiter.take(1, signal).then(() => (third = true));
    await vi.advanceTimersByTimeAsync(450);
    expect(third).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(third).toBe(true);
    await after;
  });

  it('stops waiting when aborted', async () => {
    const limiter = createRateLimiter(10, () => Date.now());
    const abort = new AbortController();
    await limiter.take(100, abort.signal);
    const waiting = limiter.take(1, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
