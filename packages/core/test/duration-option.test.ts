import { describe, expect, it } from 'vitest';
import { durationOption, SCAN_DURATION } from '../src/kit.js';

const spec = SCAN_DURATION;

describe('durationOption', () => {
  it('reads a duration with its unit, or a number of ms, and gives the default for a bare option', () => {
    expect(durationOption('30s', spec)).toEqual({ ok: true, ms: 30_000 });
    expect(durationOption('2m', spec)).toEqual({ ok: true, ms: 120_000 });
    expect(durationOption('1500', spec)).toEqual({ ok: true, ms: 1500 });
    expect(durationOption(true, spec)).toEqual({ ok: true, ms: 10_000 });
    expect(durationOption(undefined, spec)).toEqual({ ok: true, ms: 10_000 });
  });

  it('names the option, the value and the range when it cannot use the value', () => {
    expect(durationOption('5ms', spec)).toEqual({ ok: false, message: '--scan 5ms: must be at least 1s (range 1s..1h) (e.g. 30s, 2m)' });
    // A bare number meant as seconds is told how to write them.
    expect(durationOption('30', spec)).toEqual({ ok: false, message: '--scan 30: a bare number is milliseconds, and must be at least 1s (range 1s..1h): for 30 seconds write --scan 30s' });
    expect(durationOption('2h', spec)).toEqual({ ok: false, message: '--scan 2h: must be at most 1h (range 1s..1h) (e.g. 30s, 2m)' });
    expect(durationOption('soon', spec)).toMatchObject({ ok: false, message: expect.stringMatching(/^--scan soon: .+ \(e\.g\. 30s, 2m\)$/) });
  });
});
