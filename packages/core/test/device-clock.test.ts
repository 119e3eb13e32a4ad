import { describe, expect, it } from 'vitest';
import { createDeviceClock } from '../src/index.js';

// Device times are ms since the device booted; local times are ms on the wall clock (offsets near
// 1.7e12 carry doubles' 0.25 us steps, hence 3 decimals in comparisons). The true
// offset in these tests is 1_700_000_000_000 (the device booted then); each sample arrives
// after a transport delay, so local - device = offset + delay.
const BOOT = 1_700_000_000_000;

describe('device clock', () => {
  it('anchors on the lowest-delay sample: the smallest local - device difference', () => {
    const clock = createDeviceClock({ driftPpm: 100 });
    // Delays 10, 3, 20 ms.
    clock.place(1000, BOOT + 1000 + 10);
    clock.place(2000, BOOT + 2000 + 3);
    const third = clock.place(3000, BOOT + 3000 + 20);
    // Best bound: 3 ms (second sample), widened by 100 ppm over the 1017 ms since it: 3 + 0.1017.
    expect(third.offsetMs).toBeCloseTo(BOOT + 3.1017, 3);
    expect(third.wallMs).toBeCloseTo(BOOT + 3000 + 3.1017, 3);
    expect(third.restarted).toBe(false);
  });

  it('never places a sample after its own arrival', () => {
    const clock = createDeviceClock();
    let seed = 1;
    for (let i = 1; i <= 2000; i++) {
      seed = (seed * 16807) % 2147483647;
      const local = BOOT + i * 100 + (seed % 250);
      expect(clock.place(i * 100, local).wallMs).toBeLessThanOrEqual(local);
    }
  });

  it('lets a fresher sample win once the old best, loosened by the drift allowance, is worse', () => {
    const clock = createDeviceClock({ driftPpm: 100, windowMs: 600_000 });
    clock.place(0, BOOT + 0); // delay 0 at t = 0
    // 100 s later a sample with 5 ms delay: the old bound is 0 + 100 ppm x 100,000 ms = 10 ms, so 5 ms wins.
    expect(clock.place(100_000, BOOT + 100_000 + 5).offsetMs).toBeCloseTo(BOOT + 5, 3);
    // 10 s later a 7 ms sample does not win: the 5 ms bound has loosened by 100 ppm x 10,000 ms to 6 ms.
    expect(clock.place(110_000, BOOT + 110_000 + 7).offsetMs).toBeCloseTo(BOOT + 5 + 1, 3);
  });

  it('forgets samples older than the window, keeping the newest', () => {
    const clock = createDeviceClock({ windowMs: 10_000, driftPpm: 0 });
    clock.place(0, BOOT + 1); // best, delay 1
    clock.place(5_000, BOOT + 5_000 + 8);
    // At 12 s the first sample is outside the 10 s window: the 8 ms sample at 5 s is the best left, then this 9 ms one.
    expect(clock.place(12_000, BOOT + 12_000 + 9).offsetMs).toBe(BOOT + 8);
    // Long silence: everything but the newest expires, and the newest still anchors.
    expect(clock.place(100_000, BOOT + 100_000 + 30).offsetMs).toBe(BOOT + 30);
  });

  it('detects a restart when device time steps back further than the allowance, and anchors afresh', () => {
    const clock = createDeviceClock({ restartBackstepMs: 1000 });
    clock.place(60_000, BOOT + 60_000 + 2);
    // Out-of-order samples a little older are not restarts.
    expect(clock.place(59_500, BOOT + 60_010).restarted).toBe(false);
    // The device rebooted at BOOT + 70,000: its clock reads 400 ms after 400 ms (and 5 ms delay).
    const after = clock.place(400, BOOT + 70_000 + 400 + 5);
    expect(after.restarted).toBe(true);
    expect(after.offsetMs).toBe(BOOT + 70_005);
    expect(clock.restarts()).toBe(1);
    expect(clock.place(1400, BOOT + 71_400 + 9).offsetMs).toBeCloseTo(BOOT + 70_005 + 0.1, 3);
  });

  it('reset forgets the anchor', () => {
    const clock = createDeviceClock();
    clock.place(1000, BOOT + 1000);
    clock.reset();
    expect(clock.place(1000, BOOT + 1000 + 50).offsetMs).toBe(BOOT + 50);
  });
});

describe('device clock options', () => {
  it.each([
    [{ windowMs: 0 }, /windowMs must be a positive/],
    [{ driftPpm: -1 }, /driftPpm must be at least 0/],
    [{ restartBackstepMs: Number.NaN }, /restartBackstepMs must be at least 0/],
    [{ buckets: 0 }, /buckets must be an integer from 1 to 1024/],
  ])('refuses %o', (options, message) => {
    expect(() => createDeviceClock(options)).toThrow(message);
  });
});
