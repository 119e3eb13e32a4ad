import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Below this share of time spent running code, the event loop counts as idle. */
const IDLE_BELOW = 0.5;

/** `performance.eventLoopUtilization`'s two forms: the running totals, and the change between two. */
export type LoopUtilization = (now?: EventLoopUtilization, before?: EventLoopUtilization) => EventLoopUtilization;

/**
 * A probe answering whether the event loop was mostly idle since the probe was last asked (or
 * made): the share of that time it spent running code (its utilization, as libuv measures it) was
 * under a half. Each call starts the next window; a call with no time measured since the last one
 * gets the last answer. A few microseconds per call.
 */
export function createLoopIdleProbe(utilization: LoopUtilization = performance.eventLoopUtilization): () => boolean {
  let last = utilization();
  let answer = true;
  return () => {
    const now = utilization();
    const since = utilization(now, last);
    // No time measured since the last call: the last answer stands.
    if (since.idle + since.active <= 0) return answer;
    last = now;
    answer = since.utilization < IDLE_BELOW;
    return answer;
  };
}
