import { createGatedClock, createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import type { ReplayClock } from '../src/frames/candump-replay.js';
import { createCanSource } from '../src/source.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';

const track = trackCleanups();

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
    const whole = createGatedClock(1_000_000);
    const reference = run(new Map(), whole.clock);
    await reference.bridge.start();
    await whole.runTo(1_002_000, reference.bridge.ended);
    expect(await reference.bridge.ended).toBe(`${drive.path} replayed to its end: 331 frames from 331 lines`);

    const gated = createGatedClock(1_000_000);
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
    const gated = createGatedClock(0);
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
