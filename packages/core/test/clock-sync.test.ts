import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClock } from '../src/index.js';

/** Times are offsets from a plausible epoch (late 2023): server times before 2020 are refused. */
const T = 1_700_000_000_000;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('clock: four-timestamp samples, ageing, monotone time', () => {
  it('subtracts the time the server held the request from the round trip', () => {
    const clock = createClock({ monotonicNow: () => T + 1000 });
    // Sent at 1000, server got it at 1010+5000 and answered 30 ms later, back at 1050.
    clock.addSample({ sentAtMs: T + 1000, receivedAtMs: T + 1050, serverTimeMs: T + (6010 + 6040) / 2, serverHoldMs: 30 });
    expect(clock.roundTripMs()).toBe(20);
    expect(clock.offsetMs()).toBe(5000);
  });

  it('lets an old short-round-trip sample yield to a fresh one as its error grows with age', () => {
    let mono = T;
    const clock = createClock({ monotonicNow: () => mono, driftPpm: 50 });
    clock.addSample({ sentAtMs: T, receivedAtMs: T + 10, serverTimeMs: T + 5 + 100 });
    mono = T + 60_000; // a minute later the old sample's error is 5.5 + 3 ms, still better than a fresh 9.5
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 18, serverTimeMs: mono + 9 + 101 });
    expect(clock.roundTripMs()).toBe(10);
    mono = T + 600_000; // ten minutes: 5.5 + 30 ms, worse than a fresh 7.5
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 14, serverTimeMs: mono + 7 + 102 });
    expect(clock.roundTripMs()).toBe(14);
    expect(clock.offsetMs()).toBe(102);
  });

  it('drops samples older than maxSampleAgeMs but always keeps the newest', () => {
    let mono = T;
    const clock = createClock({ monotonicNow: () => mono, maxSampleAgeMs: 1000, driftPpm: 0 });
    clock.addSample({ sentAtMs: T, receivedAtMs: T + 2, serverTimeMs: T + 1 + 50 });
    mono = T + 5000;
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 100, serverTimeMs: mono + 50 + 70 });
    expect(clock.offsetMs()).toBe(70);
    expect(clock.roundTripMs()).toBe(100);
  });

  it('never goes backwards for a small correction, but steps for a large one', () => {
    let mono = T + 10_000;
    const clock = createClock({ monotonicNow: () => mono, stepThresholdMs: 1000 });
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 40, serverTimeMs: mono + 20 + 500 });
    const a = clock.now();
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 2, serverTimeMs: mono + 1 + 480 });
    expect(clock.now()).toBe(a); // held: the 20 ms correction is absorbed
    mono += 25;
    expect(clock.now()).toBe(mono + 480);
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 1, serverTimeMs: mono - 5000 });
    expect(clock.now()).toBeCloseTo(mono - 5000.5, 6);
  });

  it('does not read the wall clock: stepping Date.now moves nothing', () => {
    let mono = 1_700_000_000_000;
    const clock = createClock({ monotonicNow: () => mono });
    clock.addSample({ sentAtMs: mono, receivedAtMs: mono + 10, serverTimeMs: mono + 5 + 90_000 });
    const before = clock.now();
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
    mono += 100;
    expect(clock.now() - before).toBe(100);
  });
});
