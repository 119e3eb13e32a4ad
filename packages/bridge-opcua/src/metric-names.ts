/** How metric names made from browse names (`{path}`, `{path.N}`, `{name}`) are written. */
export const METRIC_NAME_MODES = ['as_browsed', 'normalized'] as const;
/** `as_browsed`: the browse names as the server wrote them; `normalized`: see {@link normalizeBrowseName}. */
export type MetricNameMode = (typeof METRIC_NAME_MODES)[number];

/** The characters a normalised name keeps: what Prometheus-like stores and the ingest service take without quoting. */
export const METRIC_NAME_CHARS = /^[A-Za-z0-9_.-]+$/;

/** Latin letters NFKD does not take apart into a base letter and a mark. */
const LATIN_LETTERS: Readonly<Record<string, string>> = { ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ð: 'd', Ð: 'D', þ: 'th', Þ: 'TH', ı: 'i' };

/**
 * A browse name as part of a metric name, under `metric_names: normalized`: quotes dropped
 * (`"DB_Line"."Temp"` is `DB_Line.Temp`), an array index written `_0` (`Stations[0]` is
 * `Stations_0`, `[1,2]` `_1_2`), Latin letters with accents or ligatures written in ASCII
 * (`Öltemperatur` is `Oltemperatur`, `Straße` `Strasse`), and every other run of characters but
 * letters, digits, `_`, `-` and `.` (spaces, `#`, `:`, other scripts) one `_`, or nothing at the
 * start or end of a dot-separated part (`Temp #1` is `Temp_1`, `Mode: auto` `Mode_auto`). Case and
 * dots stay. Empty when nothing is left (a name in another script only). Pure.
 */
export function normalizeBrowseName(name: string): string {
  const ascii = name
    .replace(/["'`]/g, '')
    .replace(/\[([^\]]*)\]/g, '_$1')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x00-\x7f]/g, (c) => LATIN_LETTERS[c] ?? ' ');
  return ascii
    .split('.')
    .map((part) => part.replace(/^[^A-Za-z0-9_-]+|[^A-Za-z0-9_-]+$/g, '').replace(/[^A-Za-z0-9_-]+/g, '_'))
    .filter((part) => part !== '')
    .join('.');
}
