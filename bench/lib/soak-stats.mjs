// Numbers of the soak run: Prometheus text read into values, and least-squares slopes.

/** Reads Prometheus text format into a map `name{labels}` -> value (labels as written). */
export function parseMetrics(text) {
  const values = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    values.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return values;
}

/** The sum of every series of `name` whose labels contain `labelPart` (all of them without it). */
export function metricSum(values, name, labelPart = '') {
  let sum = 0;
  let found = false;
  for (const [key, value] of values) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (labelPart && !key.includes(labelPart)) continue;
    sum += value;
    found = true;
  }
  return found ? sum : undefined;
}

/** Least-squares slope of y over x (units of y per unit of x); undefined with fewer than 3 points. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 3) return undefined;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx === 0 ? undefined : sxy / sxx;
}
