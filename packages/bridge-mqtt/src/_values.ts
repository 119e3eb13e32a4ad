import { excerpt, wallTimeToEpochMs, type PointValue } from '@fieldbridge/core/bridge';
import type { DecodeErrorKind } from './decode.js';
import { jsonValueOut } from './json-payload.js';
import type { TimestampUnit, ValueType } from './resolve.js';
import { describeSwitchWords, readSwitchWord, type SwitchWords } from './switch-words.js';

/** Timestamps outside [2001-09-09, 2286-11-20] in ms are taken for a unit mistake. */
const MIN_MS = 1e12;
const MAX_MS = 1e13;
const UNIT_FACTORS: Record<Exclude<TimestampUnit, 'iso8601'>, number> = { ms: 1, s: 1000, us: 1e-3, ns: 1e-6 };

/**
 * A decimal number as text: `Number()` alone would also take `0x10`, `0b11` and `0o7`. The
 * digits before the point are one run (`\d+(?:\.\d*)?`, not `\d+\.?\d*`, which splits a run of
 * digits every way when the text fails after it: a megabyte of digits took minutes).
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** An ISO 8601 date and time, with its zone (`Z` or an offset) or without one (a wall-clock time). */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A finite number (a bigint as its nearest double), or a string that is a decimal number (`"21.5"`, as gateways that quote every value write it); else undefined. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  // An integer beyond 2^53 (see parsePayloadJson): the nearest double, as a number is read.
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Days in `month` (1-12) of `year`, by the Gregorian calendar's leap years. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why a timestamp could not be read; `zoneless`: an ISO 8601 date without a zone, and no `time_zone` to read it in. */
export type TimeRefusal = { ok: false; message: string; zoneless?: true };

/**
 * Epoch ms of an ISO 8601 date and time, else why not. One without a zone is a wall-clock time
 * in `timeZone` (see `isTimeZone`), refused without it: read in this machine's zone, it would be
 * off by the difference unnoticed. `Date.parse` checks every field's range but not the day against
 * its month: it would roll 2026-02-30 over to March 2nd.
 */
function isoMs(value: unknown, timeZone: string | undefined): { ok: true; ms: number } | TimeRefusal {
  const m = typeof value === 'string' ? ISO_8601.exec(value.trim()) : null;
  // Without a zone, read as UTC first: the fields checked, 24:00 carried into the next day, the fraction cut to ms.
  const ms = m ? Date.parse(`${m[1]}T${m[2]!.replace(',', '.')}${m[3] === undefined ? 'Z' : isoOffset(m[3])}`) : Number.NaN;
  if (!m || !Number.isFinite(ms)) return { ok: false, message: `${brief(value)} is not an ISO 8601 date and time (e.g. 2026-01-01T00:00:00Z, 2026-01-01T01:00:00+01:00, or without a zone given time_zone)` };
  const [year, month, day] = m[1]!.split('-').map(Number) as [number, number, number];
  const days = daysInMonth(year, month);
  if (day > days) return { ok: false, message: `${brief(value)} is not a date: ${MONTHS[month - 1]} ${year} has ${days} days` };
  if (m[3] !== undefined) return { ok: true, ms };
  if (timeZone === undefined) {
    return { ok: false, zoneless: true, message: `${brief(value)} has no time zone (Z or an offset): say which zone the device writes it in, with time_zone in the subscription's timestamp (local, UTC, an IANA name like Europe/Berlin, or an offset like +02:00)` };
  }
  const wall = new Date(ms);
  return {
    ok: true,
    ms: wallTimeToEpochMs(
      { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds(), millisecond: wall.getUTCMilliseconds() },
      timeZone,
    ),
  };
}

/** `Z`, `+01`, `+0100` or `+01:00` as `Date.parse` takes it (`Z` or `+01:00`). */
function isoOffset(zone: string): string {
  const upper = zone.toUpperCase();
  if (upper === 'Z') return 'Z';
  if (upper.length === 3) return `${upper}:00`;
  return upper.includes(':') ? upper : `${upper.slice(0, 3)}:${upper.slice(3)}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The payload as UTF-8 text, or undefined when it is not valid UTF-8. */
export function utf8Text(payload: Uint8Array): string | undefined {
  try {
    return utf8.decode(payload);
  } catch {
    // Not UTF-8: the caller reports it as its own kind of problem.
    return undefined;
  }
}

/**
 * A value as a short JSON excerpt for a problem message. Payload nesting is bounded before
 * parsing (`MAX_JSON_DEPTH`), so stringifying cannot overflow the stack; strings are cut first.
 */
export function brief(value: unknown): string {
  if (typeof value === 'string') return excerpt(JSON.stringify(value.slice(0, 60)));
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return excerpt(JSON.stringify(jsonValueOut(value)) ?? String(value));
}

/**
 * Converts a payload timestamp to ms since the epoch, or says why it cannot. `timeZone` is the
 * zone of ISO 8601 dates written without one (see `isTimeZone`).
 */
export function toEpochMs(value: unknown, unit: TimestampUnit, timeZone?: string): { ok: true; ms: number } | TimeRefusal {
  let ms: number | undefined;
  if (unit === 'iso8601') {
    const iso = isoMs(value, timeZone);
    if (!iso.ok) return iso;
    ms = iso.ms;
  } else {
    const n = numeric(value);
    if (n === undefined) return { ok: false, message: `${brief(value)} is not a number (unit ${unit})` };
    ms = n * UNIT_FACTORS[unit];
  }
  if (ms < MIN_MS || ms >= MAX_MS) {
    const raw = numeric(value);
    const fits = raw === undefined ? undefined : (Object.keys(UNIT_FACTORS) as (keyof typeof UNIT_FACTORS)[]).find((u) => raw * UNIT_FACTORS[u] >= MIN_MS && raw * UNIT_FACTORS[u] < MAX_MS);
    return { ok: false, message: `${brief(value)} read as ${unit} is not a plausible time${fits ? ` (set unit: ${fits}?)` : ''}` };
  }
  return { ok: true, ms };
}

/**
 * A boolean written as a word, any case, spaces around ignored: `true`/`false`, and `on`/`off` as
 * Zigbee2MQTT (`"state": "ON"`), Tasmota (`"POWER": "OFF"`) and Shelly (`on`) publish switch states.
 * Undefined for any other text.
 */
export function booleanWord(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (word === 'true' || word === 'on') return true;
  if (word === 'false' || word === 'off') return false;
  return undefined;
}

/**
 * A switch state written as text, trimmed and in any case: one of the mapping's `words`, a
 * {@link booleanWord}, or `1`/`0`. Read so alike in a whole payload (format boolean) and in a JSON
 * string (type boolean: gateways that quote every value send `"1"`). Undefined for anything else,
 * which is never taken for false.
 */
export function switchState(text: string, words?: SwitchWords): boolean | undefined {
  const named = readSwitchWord(text, words);
  if (named !== undefined) return named;
  const digit = text.trim();
  if (digit === '1' || digit === '0') return digit === '1';
  return booleanWord(text);
}

/** Reads a JSON value as `type` (a boolean also from the mapping's `words`), or says why it does not fit. */
export function readValue(value: unknown, type: ValueType, words?: SwitchWords): { ok: true; value: PointValue } | { ok: false; kind: DecodeErrorKind; message: string } {
  if (value === null || value === undefined) return { ok: false, kind: 'missing_value', message: 'the value is null' };
  switch (type) {
    case 'number': {
      const n = numeric(value);
      return n === undefined ? { ok: false, kind: 'not_a_number', message: `${brief(value)} is not a number${notANumberHint(value)}` } : { ok: true, value: n };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 0 || value === 1) return { ok: true, value: value === 1 };
      if (typeof value === 'string') {
        const state = switchState(value, words);
        if (state !== undefined) return { ok: true, value: state };
      }
      return { ok: false, kind: 'wrong_type', message: `${brief(value)} is not a boolean${words ? `, nor one of the words named: ${describeSwitchWords(words)}` : ''}` };
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      // A bigint keeps every digit: a 64-bit id read as text is the id the publisher sent.
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return { ok: true, value: String(value) };
      return { ok: false, kind: 'wrong_type', message: `${brief(value)} is not a string` };
    case 'json':
      return { ok: true, value: jsonValueOut(value) as PointValue };
  }
}

/** A number written with a decimal comma (`21,5`), or followed by its unit (`21.5 °C`, `12W`). */
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
/** What publishers write for a value they do not have (Home Assistant's `unavailable` and `unknown`). */
const NO_VALUE = /^(?:unavailable|unknown|none|null|nan|n\/a|-+)$/i;
const WITH_UNIT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*[^\d\s.,+-][^\d]{0,7}$/;

/** What a text that is nearly a number needs: the publisher's decimal point, or the unit left out. */
function nearlyANumber(text: string): string {
  const t = text.trim();
  if (NO_VALUE.test(t)) return ' (a word for no value, as Home Assistant publishes unavailable and unknown: no point is sent for it, and the next number ends this episode)';
  if (DECIMAL_COMMA.test(t)) return ` (a decimal comma: numbers are read with a decimal point, ${t.replace(',', '.')}; have the publisher write one, or read it with type: string)`;
  const unit = WITH_UNIT.exec(t);
  if (unit) return ` (a number with its unit: only a bare number is read, ${unit[1]}; have the publisher leave the unit out, or read it as text)`;
  return '';
}

/** What to write for a JSON value read as a number that is none: a switch state, an array, an object. */
function notANumberHint(value: unknown): string {
  if (typeof value === 'boolean' || (typeof value === 'string' && switchState(value) !== undefined)) return ' (a switch state: read it with type: boolean)';
  if (typeof value === 'string') return nearlyANumber(value);
  if (Array.isArray(value)) return ` (an array of ${value.length}: name one element in the path, with [0])`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).slice(0, 4).map((k) => excerpt(k, 40));
    return ` (an object: name one of its values in the path${keys.length > 0 ? `, e.g. .${keys[0]}` : ''})`;
  }
  return '';
}

/** What to write for a whole payload format number does not read: JSON, or a switch state. */
export function payloadNotANumberHint(body: string): string {
  const text = body.trim();
  if (switchState(text) !== undefined) return ' (a switch state: read it with format: boolean)';
  if (text.startsWith('{') || text.startsWith('[')) return ' (JSON: read it with format: json and the path of the value, e.g. value: $.temperature)';
  if (/^"[^"]*"$/.test(text) && numeric(text.slice(1, -1)) !== undefined) return ' (a number in a JSON string: read it with format: json)';
  return nearlyANumber(text).replace('type: string', 'format: text');
}
