import { describe, expect, it } from 'vitest';
import { clockSeedOf, createClock } from '../src/index.js';

/** Times in these tests are offsets from a plausible epoch (late 2023). */
const T = 1_700_000_000_000;

describe('clock', () => {
  it('adds the round-trip-compensated offset to monotonic time', () => {
    let mono = T + 1_000_000;
    const clock = createClock({ monotonicNow: () => mono });
    expect(clock.now()).toBe(T + 1_000_000);
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

  it('a seeded clock starts on the estimate of the clock it replaces; its own samples compete with it', () => {
    const mono = T + 1_000_000;
    const old = createClock({ monotonicNow: () => mono });
    expect(clockSeedOf(old)).toBeUndefined();
    old.addSample({ sentAtMs: mono, receivedAtMs: mono + 20, serverTimeMs: mono + 10 - 90_000 });
    const seed = clockSeedOf(old)!;
    expect(seed).toEqual({ offsetMs: -90_000, roundTripMs: 20 });
    const next = createClock({ monotonicNow: () => mono, seed });
    expect(next.synced()).toBe(true);
    expect(next.now()).toBe(mono - 90_000);
    // A sample with a shorter round trip that agrees wins; one that contradicts both errors starts over.
    next.addSample({ sentAtMs: mono, receivedAtMs: mono + 4, serverTimeMs: mono + 2 - 90_001 });
    expect(next.offsetMs()).toBe(-90_001);
    const moved = createClock({ monotonicNow: () => mono, seed });
    moved.addSample({ sentAtMs: mono, receivedAtMs: mono + 100, serverTimeMs: mono + 50 + 5_000 });
    expect(moved.offsetMs()).toBe(5_000);
  });

  it('keeps the lowest round-trip sample of the window', () => {
    const clock = createClock({ monotonicNow: () => T, windowSize: 3 });
    clock.addSample({ sentAtMs: T, receivedAtMs: T + 10, serverTimeMs: T + 5_005 });
    // A slow answer whose midpoint errs by 150 ms (an asymmetric path), within its own 200 ms bound.
    clock.addSample({ sentAtMs: T, receivedAtMs: T + 400, serverTimeMs: T + 5_350 });
    expect(clock.offsetMs()).toBe(5_000);
    expect(clock.roundTripMs()).toBe(10);
    clock.addSample({ sentAtMs: T, receivedAtMs: T + 300, serverTimeMs: T + 5_300 });
    clock.addSample({ sentAtMs: T, receivedAtMs: T + 200, serverTimeMs: T + 5_200 });
    // The 10 ms sample has left the window; the best remaining one wins.
    expect(clock.roundTripMs()).toBe(200);
  });

  it('follows a server whose clock stepped at once, though the stale sample had the shorter round trip', () => {
    let mono = T;
    const clock = createClock({ monotonicNow: () => mono });
    // The first gateway runs 90 s ahead, answering in 2 ms.
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 2, serverTimeMs: mono + 1 + 90_000 });
    expect(clock.offsetMs()).toBe(90_000);
    // Reconnected a few seconds later to a gateway with a corrected clock, over a slower path: the
    // two samples cannot both be right (90 s apart, errors of 1.5 and 20.5 ms), and the new one
    // describes the server we talk to now.
    mono += 5000;
    expect(clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 40, serverTimeMs: mono + 20 + 30 })).toBe('used');
    expect(clock.offsetMs()).toBe(30);
    expect(clock.roundTripMs()).toBe(40);
    expect(clock.now()).toBe(mono + 30);
    // Samples consistent with it compete as before: a shorter round trip wins.
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 4, serverTimeMs: mono + 2 + 25 });
    expect(clock.offsetMs()).toBe(25);
    // A slow sample that agrees within its error does not drag the estimate.
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 300, serverTimeMs: mono + 150 + 100 });
    expect(clock.offsetMs()).toBe(25);
  });

  it('ignores a coarse Date-header sample smaller than its own error', () => {
    const clock = createClock({ monotonicNow: () => T + 10_000 });
    expect(clock.synced()).toBe(false);
    expect(clock.addSample({ sentAtMs: T + 10_000, receivedAtMs: T + 10_020, serverTimeMs: T + 10_000, resolutionMs: 1000 })).toBe('confirmed');
    expect(clock.offsetMs()).toBe(0);
    // The local clock was confirmed within the header's resolution: timestamps are final.
    expect(clock.synced()).toBe(true);
    clock.addSample({ sentAtMs: T + 10_000, receivedAtMs: T + 10_020, serverTimeMs: T + 70_000, resolutionMs: 1000 });
    expect(Math.abs(clock.offsetMs() - 60_000)).toBeLessThanOrEqual(510);
  });

  it('refuses implausible server times, so a server whose clock reset cannot drag ours to 1970', () => {
    const refused: number[] = [];
    const clock = createClock({ monotonicNow: () => T, onImplausible: (t) => refused.push(t) });
    expect(clock.addSample({ sentAtMs: T, receivedAtMs: T + 2, serverTimeMs: 1000 })).toBe('implausible');
    expect(clock.addSample({ sentAtMs: T, receivedAtMs: T + 2, serverTimeMs: 1e15 })).toBe('implausible');
    expect(clock.addSample({ sentAtMs: T, receivedAtMs: T + 2, serverTimeMs: Number.NaN })).toBe('implausible');
    expect(refused).toEqual([1000, 1e15, Number.NaN]);
    expect(clock.synced()).toBe(false);
    expect(clock.offsetMs()).toBe(0);
    expect(clock.addSample({ sentAtMs: T, receivedAtMs: T + 2, serverTimeMs: T + 60_001 })).toBe('used');
    expect(clock.synced()).toBe(true);
    expect(clock.offsetMs()).toBe(60_000);
  });
});
