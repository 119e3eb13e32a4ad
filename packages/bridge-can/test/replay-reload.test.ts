import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import type { ReplayClock } from '../src/frames/candump-replay.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';

const track = trackCleanups();

/**
 * A replay clock that goes only as far as the test lets it: its sleeps up to `runTo(limitMs)`'s
 * limit end at once (the clock jumping to their end); `runTo` resolves once the replay waits for a
 * time past the limit (every frame due by then handed on) or `ended` resolves.
 */
function gatedClock(startMs: number) {
  let now = startMs;
  let limit = startMs;
  let parked: { until: number; wake: () => void } | undefined;
  let onPark: (() => void) | undefined;
  const clock: ReplayClock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const until = now + ms;
        if (until <= limit) {
          now = until;
          return resolve();
        }
        parked = { until, wake: () => ((parked = undefined), resolve()) };
        signal?.addEventListener('abort', parked.wake, { once: true });
        onPark?.();
      }),
  };
  const runTo = (limitMs: number, ended?: Promise<unknown>): Promise<void> => {
    limit = limitMs;
    const waiting = new Promise<void>((resolve) => (onPark = resolve));
    if (parked && parked.until <= limit) {
      now = parked.until;
      parked.wake();
    } else if (parked) return Promise.resolve();
    return Promise.race([waiting, ...(ended ? [ended.then(() => undefined)] : [])]);
  };
  return { clock, runTo };
}

const pointKeys = (points: { metric: string; value: unknown; timestamp?: number }[]) => points.map((p) => `${p.metric} ${String(p.value)} ${p.timestamp}`).sort();

describe('a log replay across a SIGHUP reload', () => {
  it('goes on where it was with the same log: every frame’s points exactly once, on the same timeline', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 1000 }), (l) => l.close());
    const section = canConfigSchema.parse({ interface: `file:${drive.path}`, dbc: VEHICLE_DBC_PATH, bus: 'car', replay: { pace: 'recorded', timestamps: 'replay' } });
    const run = (reloadState: Map<string, unknown>, clock: ReplayClock) => {
      const t = createTestContext({ bridge: 'can', reloadState });
      track.defer(() => t.abort.abort());
      return { t, bridge: track.add(createCanSource(section, t.ctx, { replayClock: clock }), (b) => b.stop()) };
    };

    // What the replay gives without a reload.
    const whole = gatedClock(1_000_000);
    const reference = run(new Map(), whole.clock);
    await reference.bridge.start();
    await whole.runTo(1_002_000, reference.bridge.ended);
    expect(await reference.bridge.ended).toBe(`${drive.path} replayed to its end: 331 frames from 331 lines`);

    const gated = gatedClock(1_000_000);
    const reloadState = new Map<string, unknown>();
    const before = run(reloadState, gated.clock);
    await before.bridge.start();
    await gated.runTo(1_000_505);
    const taken = await before.t.metric('fieldbridge_can_frames_total', { bus: 'car', outcome: 'decoded' });
    expect(taken).toBeGreaterThan(100);
    expect(taken).toBeLessThan(331);
    await before.bridge.stop();

    const after = run(reloadState, gated.clock);
    await after.bridge.start();
    await gated.runTo(1_002_000, after.bridge.ended);
    expect(await after.bridge.ended).toBe(`${drive.path} replayed to its end: 331 frames (${taken} of them taken before a reload) from 331 lines`);
    expect(taken + (await after.t.metric('fieldbridge_can_frames_total', { bus: 'car', outcome: 'decoded' }))).toBe(331);
    // The frames after the reload keep their place on the replay's timeline (timestamps: replay).
    expect(pointKeys([...before.t.points, ...after.t.points])).toEqual(pointKeys(reference.t.points));
  });

  it('starts over when the input changed (another speed)', async () => {
    const drive = track.add(await writeDriveLog({ durationMs: 200 }), (l) => l.close());
    const reloadState = new Map<string, unknown>();
    const gated = gatedClock(0);
    const start = async (speed: number) => {
      const t = createTestContext({ bridge: 'can', reloadState });
      track.defer(() => t.abort.abort());
      const section = canConfigSchema.parse({ interface: `file:${drive.path}`, dbc: VEHICLE_DBC_PATH, bus: 'car', replay: { pace: 'recorded', speed } });
      const bridge = track.add(createCanSource(section, t.ctx, { replayClock: gated.clock }), (b) => b.stop());
      await bridge.start();
      return { t, bridge };
    };
    const first = await start(1);
    await gated.runTo(100);
    await first.bridge.stop();
    const second = await start(2);
    await gated.runTo(10_000, second.bridge.ended);
    expect(await second.bridge.ended).toBe(`${drive.path} replayed to its end: 67 frames from 67 lines`);
  });
});
