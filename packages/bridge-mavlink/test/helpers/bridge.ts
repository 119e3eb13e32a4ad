import type { Point } from '@fieldbridge/core/bridge';
import { createTestContext, trackCleanups, type CleanupTracker, type TestContext } from '@fieldbridge/core/testing';
import { expect } from 'vitest';
import { checkMavlink } from '../../src/check.js';
import { mavlinkConfigSchema } from '../../src/config.js';
import { createMavlinkSource, type MavlinkSource, type MavlinkSourceOptions } from '../../src/source.js';

/** A source on a test context: what it wrote, and the source itself. */
export interface Running {
  t: TestContext;
  source: MavlinkSource;
  /** Points of `source_id` for `metric`, in order. */
  values(sourceId: string, metric: string): Point['value'][];
  /** Points whose metric is `metric`, any source. */
  named(metric: string): Point[];
}

/**
 * Per-file helper (call at the top level): `run(section)` validates a `mavlink:` section as the
 * loader does (schema and check), creates the source on a test context (file source_id
 * `field-a`, and the clock `now` when given) and starts it; it is stopped after the test.
 */
export function sourceRunner(): {
  track: CleanupTracker;
  run(section: unknown, options?: MavlinkSourceOptions & { blocked?: boolean; start?: boolean; now?: () => number }): Promise<Running>;
} {
  const track = trackCleanups();
  return {
    track,
    async run(section, options = {}) {
      const parsed = mavlinkConfigSchema.parse(section);
      expect(checkMavlink(parsed)).toEqual([]);
      const t = createTestContext({ bridge: 'mavlink', sourceId: 'field-a', ...(options.blocked ? { blocked: true } : {}) });
      track.defer(() => t.abort.abort());
      // A clock the test moves: arrival times and link timeout checks read it.
      if (options.now) t.ctx.clock = { ...t.ctx.clock, now: options.now, monotonicNow: options.now };
      const source = track.add(createMavlinkSource(parsed, t.ctx, options), (s) => s.stop());
      if (options.start !== false) await source.start();
      return {
        t,
        source,
        values: (sourceId, metric) => t.points.filter((p) => p.source_id === sourceId && p.metric === metric).map((p) => p.value),
        named: (metric) => t.points.filter((p) => p.metric === metric),
      };
    },
  };
}
