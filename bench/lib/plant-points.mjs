/**
 * Points shaped like a plant's: 50 series sampled at 100 Hz (5,000 points/s, timestamps 0.2 ms
 * apart, starting an hour ago), values that move like process measurements (a slow wave, a
 * little noise, two decimals), two tags. `plantPoint(i)` is the i-th point of that stream.
 */
const SERIES = 50;
const T0 = Date.now() - 3_600_000;

export function plantPoint(i) {
  const s = i % SERIES;
  const t = Math.floor(i / SERIES);
  const value = Math.round((50 + 20 * Math.sin(t / 500 + s) + ((t * 7 + s * 13) % 17) / 10) * 100) / 100;
  return { metric: `plant.line${s % 5}.machine${s}.temperature`, value, timestamp: T0 + i * 0.2, tags: { site: 'plant-a', unit: 'degC' } };
}
