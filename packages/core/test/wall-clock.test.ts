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

  it('reads a repeated hour as its earlier instant and a skipped one with the offset before the change, as Java and Python do (by hand)', () => {
    const at = (iso: string, zone: string): string => new Date(wallTimeToEpochMs(wall(iso), zone)).toISOString();
    // Europe/Berlin, 2026-10-25: 03:00 summer time (+02:00) goes back to 02:00 (+01:00); 02:30 comes twice.
    expect(at('2026-10-25T01:59:59', 'Europe/Berlin')).toBe('2026-10-24T23:59:59.000Z');
    expect(at('2026-10-25T02:30:00', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
    expect(at('2026-10-25T03:00:00', 'Europe/Berlin')).toBe('2026-10-25T02:00:00.000Z');
    // 2026-03-29: 02:00 (+01:00) jumps to 03:00 (+02:00); 02:30 never shows, and reads as 03:30 summer time.
    expect(at('2026-03-29T02:30:00', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    expect(at('2026-03-29T03:00:00', 'Europe/Berlin')).toBe('2026-03-29T01:00:00.000Z');
    // West of Greenwich the same rule: America/New_York, 2026-11-01 01:30 twice (EDT -04:00 first), 2026-03-08 02:30 skipped (EST -05:00 before).
    expect(at('2026-11-01T01:30:00', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(at('2026-03-08T02:30:00', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
    // Southern hemisphere: Australia/Sydney, 2026-04-05 03:00 AEDT (+11:00) goes back to 02:00 AEST (+10:00).
    expect(at('2026-04-05T02:30:00', 'Australia/Sydney')).toBe('2026-04-04T15:30:00.000Z');
  });

  it('reads UTC and fixed offsets, and tells a zone from a word', () => {
    expect(new Date(wallTimeToEpochMs(wall('2026-03-01T00:30:00'), 'UTC')).toISOString()).toBe('2026-03-01T00:30:00.000Z');
    expect(new Date(wallTimeToEpochMs(wall('2026-03-01T05:30:00'), '+05:30')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(new Date(wallTimeToEpochMs(wall('2026-03-01T00:00:00'), '-0200')).toISOString()).toBe('2026-03-01T02:00:00.000Z');
    // A year 0-99 is that year (Date.UTC alone would read 0024 as 1924).
    expect(new Date(wallTimeToEpochMs(wall('0024-03-01T00:00:00'), 'UTC')).toISOString()).toBe('0024-03-01T00:00:00.000Z');
    expect(new Date(wallTimeToEpochMs(wall('0024-03-01T00:00:00'), '+01:00')).toISOString()).toBe('0024-02-29T23:00:00.000Z');
    expect(['local', 'UTC', 'Europe/Berlin', '+02:00'].map(isTimeZone)).toEqual([true, true, true, true]);
    expect(['Europe/Atlantis', 'CEST+', ''].map(isTimeZone)).toEqual([false, false, false]);
  });
});
