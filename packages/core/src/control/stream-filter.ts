import type { Point } from '../point/point.js';
import { createChangeFilter, type ChangeFilter } from '../shared/change-filter.js';
import { globMatch } from '../shared/glob.js';
import type { StreamRequest } from './device-control.js';

/** What the stream filter decides for one point. */
export type StreamVerdict = 'pass' | 'filtered' | 'throttled';

/**
 * The `start_stream` stage of the sink's write path: while a dashboard's stream request is in
 * force, only the requested metrics are forwarded, at most one point per series (metric and
 * tags) every `intervalMs`. It sits before the batcher, so it shapes the live stream only:
 * points already in the spool are delivered as they are. Without a request everything passes.
 */
export interface StreamFilter {
  /** Applies a request (`start_stream`) or lifts it (`stop_stream`, undefined). */
  set(request: StreamRequest | undefined): void;
  /** The request in force. */
  current(): StreamRequest | undefined;
  /** Decides for one validated, stamped point. */
  admit(point: Point): StreamVerdict;
}

/**
 * Creates a {@link StreamFilter}; `now` is monotonic ms, so a wall-clock step cannot unthrottle.
 * The interval is the bridges' change filter (`minIntervalMs`) keyed by series.
 */
export function createStreamFilter(now: () => number): StreamFilter {
  let request: StreamRequest | undefined;
  let patterns: readonly string[] | undefined;
  let throttle: ChangeFilter = createChangeFilter();

  return {
    set(next) {
      request = next;
      patterns = next?.metrics?.length ? next.metrics : undefined;
      throttle = createChangeFilter(next?.intervalMs ? { minIntervalMs: next.intervalMs } : {});
    },
    current: () => request,
    admit(point) {
      if (!request) return 'pass';
      if (patterns && !patterns.some((p) => globMatch(p, point.metric))) return 'filtered';
      const key = point.tags ? `${point.metric}\u0000${JSON.stringify(point.tags)}` : point.metric;
      return throttle.admit(key, point.value, now()) === 'pass' ? 'pass' : 'throttled';
    },
  };
}
