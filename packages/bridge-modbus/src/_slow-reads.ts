import type { ReadRequest } from './plan.js';

/**
 * When the requests of points read less often than every poll (`poll_ms` on a point, the
 * request's `everyMs`) are due: at the first poll once `everyMs` passed since one was answered.
 * A request that got no answer (a timeout, the line down) stays due, so a slow counter is read
 * again at the next poll rather than an interval later.
 */
export class SlowReads {
  private readonly due = new WeakMap<ReadRequest, number>();

  /** Whether a poll that starts at `nowMs` (monotonic ms), of a device polled every `pollMs`, sends `request`. */
  isDue(request: ReadRequest, nowMs: number, pollMs: number): boolean {
    if (request.everyMs === undefined) return true;
    const due = this.due.get(request);
    // Half a poll early rather than a whole poll late: polls start a few ms apart from their schedule.
    return due === undefined || due - nowMs <= pollMs / 2;
  }

  /** `request` was answered by the poll that started at `startedMs`. */
  answered(request: ReadRequest, startedMs: number): void {
    if (request.everyMs !== undefined) this.due.set(request, startedMs + request.everyMs);
  }
}
