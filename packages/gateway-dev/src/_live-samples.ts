/** Most samples of one series in one stream event. */
export const SAMPLES_PER_EVENT = 16;

/**
 * The points of one series that arrived since the last stream event, thinned as they come so
 * that memory stays bounded however fast the series is: it keeps every `stride`-th point, and
 * when full keeps every other sample and doubles the stride, so the kept samples stay evenly
 * spread over the interval. The last point is always kept.
 */
export interface PendingSamples {
  /** Points that arrived. */
  n: number;
  /** Kept samples, flat: `t1, v1, t2, v2, ...`. */
  flat: Array<number | string>;
  stride: number;
  lastT: number;
  lastV: number | string;
  lastKept: boolean;
}

export function createPending(): PendingSamples {
  return { n: 0, flat: [], stride: 1, lastT: 0, lastV: 0, lastKept: false };
}

/** Adds one point (time in ms, value). */
export function addSample(p: PendingSamples, t: number, v: number | string): void {
  const index = p.n;
  p.n += 1;
  p.lastT = t;
  p.lastV = v;
  p.lastKept = false;
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
  p.lastKept = true;
}

/** The kept samples, ending with the last point, at most {@link SAMPLES_PER_EVENT}. */
export function finishPending(p: PendingSamples): Array<number | string> {
  if (!p.lastKept && p.n > 0) {
    if (p.flat.length >= 2 * SAMPLES_PER_EVENT) p.flat.length -= 2;
    p.flat.push(p.lastT, p.lastV);
    p.lastKept = true;
  }
  return p.flat;
}
