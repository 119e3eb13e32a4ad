/** A date and time as a clock on a wall shows it, with no time zone. */
export interface WallTime {
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/**
 * True for a time zone {@link wallTimeToEpochMs} understands: `local` (this process's, from `TZ`),
 * `UTC`, a fixed offset (`+02:00`, `-0530`) or an IANA name (`Europe/Berlin`).
 */
export function isTimeZone(zone: string): boolean {
  if (zone === 'local' || zone === 'UTC' || OFFSET.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC, in ms, at the instant `epochMs` (what its clocks showed minus UTC). */
function zoneOffsetMs(zone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(epochMs));
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const shown = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return shown - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time in `zone` names (see {@link isTimeZone}), in ms since the Unix
 * epoch. A time a daylight-saving change skips or repeats resolves to one of its readings, as
 * the zone's rules give it after one correction.
 */
export function wallTimeToEpochMs(wall: WallTime, zone: string): number {
  const { year, month, day, hour, minute, second, millisecond } = wall;
  if (zone === 'local') return new Date(year, month - 1, day, hour, minute, second, millisecond).getTime();
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  if (zone === 'UTC') return asUtc;
  const fixed = OFFSET.exec(zone);
  if (fixed) return asUtc - (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  // The offset at the guess, then at the instant that offset gives: right on both sides of a change.
  const first = asUtc - zoneOffsetMs(zone, asUtc);
  return asUtc - zoneOffsetMs(zone, first);
}
