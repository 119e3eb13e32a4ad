// @ts-check
// Numbers, ages and rates as the page prints them: short, and in tabular figures so columns line up.

/** @type {Map<number, Intl.NumberFormat>} */
const byDigits = new Map();

/** @param {number} digits */
function numberFormat(digits) {
  let f = byDigits.get(digits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits });
    byDigits.set(digits, f);
  }
  return f;
}

/** @type {Map<number, Intl.NumberFormat>} */
const ungroupedByDigits = new Map();

/** @param {number} digits */
function ungroupedFormat(digits) {
  let f = ungroupedByDigits.get(digits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, useGrouping: false });
    ungroupedByDigits.set(digits, f);
  }
  return f;
}

/** Fractions below 1 by significant digits, so `0.000123` keeps its `123`. */
const fractionFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** @param {number} value */
const exponent = (value, /** @type {number} */ digits) => value.toExponential(digits).replace('e+', 'e');

/**
 * A value as the list shows it: integers with separators, fractions to at least four significant
 * digits (`21.375`, `0.000123`, `0.01235`), very large or very small numbers in exponent form
 * (`1.500e-7`); text as it is. A small fraction (a current in A, a gas concentration) keeps its
 * digits as a multimeter would, never rounded to `0` or `0.0001`.
 *
 * A number longer than `maxChars` is rounded to fit, never cut: first without separators, then
 * in exponent form with as many digits as fit (at least `5e9`), the way a spreadsheet fits a
 * narrow column. Text is returned whole whatever `maxChars` (the view cuts it and shows a tooltip).
 * @param {number | string} value
 * @param {number} [maxChars] the most characters a number may take (default: no limit)
 */
export function formatValue(value, maxChars = Infinity) {
  if (typeof value !== 'number') return value;
  const abs = Math.abs(value);
  if (abs >= 1e12 || (abs !== 0 && abs < 1e-4)) return fit(exponent(value, 3), value, maxChars);
  if (abs < 1 && abs !== 0) return fit(fractionFormat.format(value), value, maxChars);
  const digits = Number.isInteger(value) ? 0 : abs >= 10_000 ? 1 : abs >= 100 ? 2 : 3;
  const text = numberFormat(digits).format(value);
  if (text.length <= maxChars) return text;
  const plain = ungroupedFormat(digits).format(value);
  return plain.length <= maxChars ? plain : fit(plain, value, maxChars);
}

/**
 * `text`, or when it is longer than `maxChars` the most precise exponent form that fits.
 * @param {string} text @param {number} value @param {number} maxChars
 */
function fit(text, value, maxChars) {
  if (text.length <= maxChars) return text;
  for (let digits = 14; digits > 0; digits--) {
    const shorter = exponent(value, digits);
    if (shorter.length <= maxChars) return shorter;
  }
  return exponent(value, 0);
}

/**
 * Time since something happened: `2.3 s`, `42 s`, `12 min`, `3.1 h`, `2 d`.
 * @param {number} ms
 */
export function formatAge(ms) {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/**
 * Points per second: `–` for none; below 0.1/s per minute, so a tag every 30 s reads `2.0/min`
 * and one every 5 min `0.20/min`, not `0.03/s` and `0.00/s`.
 * @param {number} rate
 */
export function formatRate(rate) {
  if (!(rate > 0)) return '–';
  if (rate < 0.1) {
    const perMinute = rate * 60;
    return `${perMinute < 1 ? perMinute.toPrecision(2) : perMinute.toFixed(1)}/min`;
  }
  if (rate < 10) return `${rate.toFixed(2)}/s`;
  if (rate < 100) return `${rate.toFixed(1)}/s`;
  return `${numberFormat(0).format(Math.round(rate))}/s`;
}

/** @param {number} n */
export function formatCount(n) {
  return numberFormat(0).format(n);
}

/**
 * A count and its noun, singular for exactly one: `1 metric`, `1,204 metrics`, `1 pt`.
 * @param {number} n @param {string} one @param {string} [many]
 */
export function formatCounted(n, one, many = `${one}s`) {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** @param {number} bytes */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/**
 * Local time of day, `14:03:07`.
 * @param {number} epochMs
 */
export function formatClock(epochMs) {
  const d = new Date(epochMs);
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Tags as `k=v k=v`, leaving out `unit` (it has its own column).
 * @param {Record<string, string> | 0} tags
 */
export function formatTags(tags) {
  if (tags === 0) return '';
  return Object.entries(tags)
    .filter(([k]) => k !== 'unit')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
