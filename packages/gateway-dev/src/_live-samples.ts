/** Most samples of one series in one stream event. */
export const SAMPLES_PER_EVENT = 16;

/**
 * The points of one series that arrived since the last stream event, thinned as they come so
 * that memory stays bounded however fast the series is: it keeps every `stride`-th point, and
 * when full keeps every other sample and doubles the stride, so the kept samples stay evenly
 * spread over the interval. The newest point (by its time) is always kept: points can arrive out
 * of time order (a spool's backlog sent by two lanes, `fieldbridge resend` of an hour-old point
 * beside live data), and the newest is the series' value.
 */
export interface PendingSamples {
  /** Points that arrived. */
  n: number;
  /** Kept samples, flat: `t1, v1, t2, v2, ...`, in arrival order. */
  flat: Array<number | string>;
  stride: number;
  /** The newest point by time; of points with the same time, the last to arrive. */
  newestT: number;
  newestV: number | string;
}

export function createPending(): PendingSamples {
  return { n: 0, flat: [], stride: 1, newestT: -Infinity, newestV: 0 };
}

/** Adds one point (time in ms, value). */
export function addSample(p: PendingSamples, t: number, v: number | string): void {
  const index = p.n;
  p.n += 1;
  if (t >= p.newestT) {
    p.newestT = t;
    p.newestV = v;
  }
  if (index % p.stride !== 0) return;
  if (p.flat.length >= 2 * SAMPLES_PER_EVENT) {
    let w = 0;
    for (let r = 0; r < p.flat.length; r += 4) {
      p.flat[w++] = p.flat[r]!;
      p.flat[w++] = p.flat[r + 1]!;
    }
    p.flat.length = w;
    p.stride *= 2;
    if (index % p.stride !== 0) return;
  }
  p.flat.push(t, v);
}

/**
 * The kept samples in time order (arrivals of one time keep their order), ending with the newest
 * point, at most {@link SAMPLES_PER_EVENT}.
 */
export function finishPending(p: PendingSamples): Array<number | string> {
  if (p.n === 0) return p.flat;
  const pairs: Array<[number, number | string]> = [];
  for (let i = 0; i < p.flat.length; i += 2) pairs.push([p.flat[i] as number, p.flat[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const last = pairs[pairs.length - 1];
  if (last === undefined || last[0] !== p.newestT || last[1] !== p.newestV) {
    if (pairs.length >= SAMPLES_PER_EVENT) pairs.pop();
    pairs.push([p.newestT, p.newestV]);
  }
  p.flat = pairs.flat();
  return p.flat;
}
