import { performance } from 'node:perf_hooks';

/** Below this share of time spent running code, the event loop counts as idle. */
const IDLE_BELOW = 0.5;

/**
 * A probe answering whether the event loop was mostly idle since the probe was last asked (or
 * made): the share of that time it spent running code (its utilization, as libuv measures it) was
 * under a half. Each call starts the next window. A few microseconds per call.
 */
export function createLoopIdleProbe(): () => boolean {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(now, last);
    last = now;
    return !(since.utilization >= IDLE_BELOW);
  };
}
