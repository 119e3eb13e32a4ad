/**
 * A series' usual interval between arrivals, in ms (0 while unknown), as the page judges
 * staleness by it: the longest recent gap, letting go of an old long one by a tenth at each
 * arrival. A tag that sends every second, then was off for ten minutes, is back to about a
 * second within a minute; one that sends every minute keeps a minute. The page keeps the same
 * figure from the stream's updates (`page/model.js`), so both must follow this rule.
 */
export function usualInterval(previous: number, gap: number): number {
  return Math.max(Math.round(gap), Math.round(previous * 0.9));
}
