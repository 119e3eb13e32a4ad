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

/** Formatters per IANA zone, made once: one per call would cost more than the conversion. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 64;

function formatterOf(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format) return format;
  format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value as string);
  formatters.set(zone, format);
  return format;
}

/** The zone's offset from UTC, in ms, at the instant `epochMs` (what its clocks showed minus UTC). */
function zoneOffsetMs(zone: string, epochMs: number): number {
  const parts = formatterOf(zone).formatToParts(new Date(epochMs));
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const shown = utc(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'), 0);
  return shown - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

const DAY_MS = 86_400_000;

/** `Date.UTC`, but a year 0-99 is that year, not 1900-1999. */
function utc(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const t = Date.UTC(year, monthIndex, day, hour, minute, second, ms);
  if (year < 0 || year >= 100) return t;
  const date = new Date(t);
  date.setUTCFullYear(year);
  return date.getTime();
}

/**
 * The instant a wall-clock time in `zone` names (see {@link isTimeZone}), in ms since the Unix
 * epoch. Around a daylight-saving change the rule is Java's and Python's (`fold=0`), and
 * JavaScript's own for `local`: a time the change repeats (02:30 on the last Sunday of October
 * in Europe/Berlin) is the earlier of its two instants, read with the offset before the change
 * (summer time, 00:30Z); a time it skips (02:30 on the last Sunday of March) is read with the
 * offset before the change too, so it lands as far past the change as it was into the gap
 * (03:30 summer time, 01:30Z).
 */
export function wallTimeToEpochMs(wall: WallTime, zone: string): number {
  const { year, month, day, hour, minute, second, millisecond } = wall;
  if (zone === 'local') {
    const local = new Date(year, month - 1, day, hour, minute, second, millisecond);
    // Years 0-99 are taken as 1900-1999 by the Date constructor: set the year itself.
    if (year >= 0 && year < 100) local.setFullYear(year);
    return local.getTime();
  }
  const asUtc = utc(year, month - 1, day, hour, minute, second, millisecond);
  if (zone === 'UTC') return asUtc;
  const fixed = OFFSET.exec(zone);
  if (fixed) return asUtc - (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  // The offsets in force around it: each one that reads the wall time back is one of its instants.
  const before = zoneOffsetMs(zone, asUtc - DAY_MS);
  const offsets = new Set([before, zoneOffsetMs(zone, asUtc), zoneOffsetMs(zone, asUtc + DAY_MS)]);
  const instants = [...offsets].map((offset) => asUtc - offset).filter((instant) => zoneOffsetMs(zone, instant) === asUtc - instant);
  // None: the change skipped it.
  return instants.length > 0 ? Math.min(...instants) : asUtc - before;
}
