/**
 * How often something was seen, for a listing (`--scan`): `10/s`, `2.5/s`, or `-` when one
 * sighting (or none, or all at one instant) says nothing about a rate. Counted between the first
 * and the last sighting, so `count` sightings span `count - 1` intervals.
 */
export function rateText(count: number, firstMs: number, lastMs: number): string {
  const seconds = (lastMs - firstMs) / 1000;
  if (count < 2 || !(seconds > 0)) return '-';
  const hz = (count - 1) / seconds;
  return `${hz < 10 ? hz.toFixed(1) : Math.round(hz)}/s`;
}
