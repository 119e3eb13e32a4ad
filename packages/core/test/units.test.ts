import { describe, expect, it } from 'vitest';
import { durationMs, formatDuration, MAX_TIMER_MS } from '../src/config/units.js';

describe('formatDuration', () => {
  it('writes every unit that is not zero, largest first, so 8 h 20 min is not 500m', () => {
    expect(formatDuration(30_000_000)).toBe('8h20m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(90_061_500)).toBe('1d1h1m1.5s');
    expect(formatDuration(MAX_TIMER_MS)).toBe('24d20h31m23.647s');
  });

  it('keeps the short forms: whole units, weeks when whole, milliseconds under a second', () => {
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1_209_600_000)).toBe('2w');
  });

  it('writes what a mapping file reads back to the same value', () => {
    const schema = durationMs();
    for (const ms of [1, 999, 1000, 1500, 60_500, 90_000, 30_000_000, 90_061_500, 1_209_600_000, 1_296_000_000, MAX_TIMER_MS]) {
      expect(schema.parse(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('durationMs', () => {
  it('reads a duration of several units, with or without spaces between them', () => {
    expect(durationMs().parse('1h30m')).toBe(5_400_000);
    expect(durationMs().parse('2m 30s')).toBe(150_000);
    expect(durationMs().parse('1.5h')).toBe(5_400_000);
  });

  it('refuses a unit without its number, or text around the units', () => {
    for (const text of ['1h30', 'h30m', '1h and 30m', '']) expect(durationMs().safeParse(text).success, text).toBe(false);
  });
});
