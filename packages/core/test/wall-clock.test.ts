import { describe, expect, it } from 'vitest';
import { isTimeZone, wallTimeToEpochMs, type WallTime } from '../src/kit.js';

const wall = (iso: string): WallTime => {
  const [date, time] = iso.split('T') as [string, string];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute, second] = time.split(':').map(Number) as [number, number, number];
  return { year, month, day, hour, minute, second, millisecond: 0 };
};

describe('wall-clock times in a time zone', () => {
  it('reads an IANA zone on both sides of its daylight-saving changes (values from the zone rules, by hand)', () => {
    // Europe/Berlin: UTC+2 in summer, UTC+1 in winter.
    expect(new Date(wallTimeToEpochMs(wall('2026-07-01T12:00:00'), 'Europe/Berlin')).toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(new Date(wallTimeToEpochMs(wall('2026-12-01T12:00:00'), 'Europe/Berlin')).toISOString()).toBe('2026-12-01T11:00:00.000Z');
    // America/New_York: UTC-4 in summer.
    expect(new Date(wallTimeToEpochMs(wall('2026-07-01T08:00:00'), 'America/New_York')).toISOString()).toBe('2026-07-01T12:00:00.000Z');
  });

  it('reads UTC and fixed offsets, and tells a zone from a word', () => {
    expect(new Date(wallTimeToEpochMs(wall('2026-03-01T00:30:00'), 'UTC')).toISOString()).toBe('2026-03-01T00:30:00.000Z');
    expect(new Date(wallTimeToEpochMs(wall('2026-03-01T05:30:00'), '+05:30')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(new Date(wallTimeToEpochMs(wall('2026-03-01T00:00:00'), '-0200')).toISOString()).toBe('2026-03-01T02:00:00.000Z');
    expect(['local', 'UTC', 'Europe/Berlin', '+02:00'].map(isTimeZone)).toEqual([true, true, true, true]);
    expect(['Europe/Atlantis', 'CEST+', ''].map(isTimeZone)).toEqual([false, false, false]);
  });
});
