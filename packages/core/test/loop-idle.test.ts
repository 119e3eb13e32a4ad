import type { EventLoopUtilization } from 'node:perf_hooks';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createLoopIdleProbe, type LoopUtilization } from '../src/sink/_loop-idle.js';

/** A loop whose running totals the test sets; the change between two is computed as node does. */
function scriptedLoop(): { utilization: LoopUtilization; run(activeMs: number, idleMs: number): void } {
  let totals = { idle: 0, active: 0 };
  const elu = (idle: number, active: number): EventLoopUtilization => ({ idle, active, utilization: active / (idle + active) });
  return {
    utilization: (now, before) => (now === undefined ? elu(totals.idle, totals.active) : elu(now.idle - (before?.idle ?? 0), now.active - (before?.active ?? 0))),
    run(activeMs, idleMs) {
      totals = { idle: totals.idle + idleMs, active: totals.active + activeMs };
    },
  };
}

describe('loop idle probe', () => {
  it('judges each window since the last call by the share of time the loop ran code, idle under a half', () => {
    const loop = scriptedLoop();
    const idle = createLoopIdleProbe(loop.utilization);
    loop.run(5, 95);
    expect(idle()).toBe(true);
    loop.run(90, 10);
    expect(idle()).toBe(false);
    // Only the last window counts: a busy past does not make a quiet moment busy.
    loop.run(40, 60);
    expect(idle()).toBe(true);
    loop.run(50, 50);
    expect(idle()).toBe(false);
    // No time measured since the last call: the last answer.
    expect(idle()).toBe(false);
    loop.run(1, 99);
    expect(idle()).toBe(true);
    expect(idle()).toBe(true);
  });

  it('reads node\'s own measure by default: code running all the time is busy', () => {
    const idle = createLoopIdleProbe();
    const end = performance.now() + 30;
    while (performance.now() < end);
    expect(idle()).toBe(false);
  });
});
