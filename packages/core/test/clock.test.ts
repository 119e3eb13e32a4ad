import { describe, expect, it } from 'vitest';
import { createClock } from '../src/index.js';

describe('clock', () => {
  it('adds the round-trip-compensated offset to monotonic time', () => {
    let mono = 1_000_000;
    const clock = createClock({ monotonicNow: () => mono });
    expect(clock.now()).toBe(1_000_000);
    // Server 90 s ahead; request takes 40 ms out, answer 10 ms back.
    const sent = mono;
    const serverTime = sent + 40 + 90_000;
    clock.addSample({ sentAtMs: sent, receivedAtMs: sent + 50, serverTimeMs: serverTime });
    expect(clock.roundTripMs()).toBe(50);
    // The midpoint assumption errs by (40 - 10) / 2 = 15 ms, within half the round trip.
    expect(Math.abs(clock.offsetMs() - 90_000)).toBeLessThanOrEqual(25);
    mono += 1000;
    expect(clock.now()).toBe(mono + clock.offsetMs());
  });

  it('keeps the lowest round-trip sample of the window', () => {
    const clock = createClock({ monotonicNow: () => 0, windowSize: 3 });
    clock.addSample({ sentAtMs: 0, receivedAtMs: 10, serverTimeMs: 5_005 });
    clock.addSample({ sentAtMs: 0, receivedAtMs: 400, serverTimeMs: 5_500 });
    expect(clock.offsetMs()).toBe(5_000);
    expect(clock.roundTripMs()).toBe(10);
    clock.addSample({ sentAtMs: 0, receivedAtMs: 300, serverTimeMs: 5_300 });
    clock.addSample({ sentAtMs: 0, receivedAtMs: 200, serverTimeMs: 5_200 });
    // The 10 ms sample has left the window; the best remaining one wins.
    expect(clock.roundTripMs()).toBe(200);
  });

  it('ignores a coarse Date-header sample smaller than its own error', () => {
    const clock = createClock({ monotonicNow: () => 10_000 });
    clock.addSample({ sentAtMs: 10_000, receivedAtMs: 10_020, serverTimeMs: 10_000, resolutionMs: 1000 });
    expect(clock.offsetMs()).toBe(0);
    clock.addSample({ sentAtMs: 10_000, receivedAtMs: 10_020, serverTimeMs: 70_000, resolutionMs: 1000 });
    expect(Math.abs(clock.offsetMs() - 60_000)).toBeLessThanOrEqual(510);
  });
});
