import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClock } from '../src/index.js';
import { metric, startGateway, wsSink } from './helpers/ws-sink.js';

/** Real monotonic time in epoch ms: what both the device and the simulated server build on. */
const mono = () => performance.timeOrigin + performance.now();
const HOUR = 3_600_000;

/** Waits for a condition on monotonic time (Date.now is stepped in this file, so waitFor's deadline can't be used). */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = mono() + timeoutMs;
  while (!check()) {
    if (mono() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('WebSocket sink: clock correction', () => {
  it('lands within half the minimum round trip of a server 90 s ahead over a 40/10 ms path, and ignores a local clock step', async () => {
    // The server's clock runs 90 s ahead; frames take 40 ms to it and 10 ms back.
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000, wsDelayMs: { toServer: 40, toDevice: 10 } });
    const clock = createClock({ monotonicNow: mono });
    const s = wsSink(gateway, { clock, websocket: { timeSyncIntervalMs: 250 } });
    const syncs = () => gateway.devices()[0]?.timeSyncs ?? 0;
    await until(() => syncs() >= 4, 'the first time_sync burst');

    const errors: number[] = [];
    const stamped: number[] = [];
    const writeAndMeasure = async (from: number) => {
      // The server's time just before and after each write: a pause between the two (a
      // collection on a loaded machine) is not an error of the clock.
      const serverAt: Array<{ before: number; after: number }> = [];
      for (let i = 0; i < 20; i++) {
        const before = gateway.clockNow();
        s.send('clock.probe', from + i);
        serverAt.push({ before, after: gateway.clockNow() });
      }
      await s.flush();
      const points = gateway.points({ metric: 'clock.probe' }).filter((p) => (p.value as number) >= from);
      expect(points).toHaveLength(20);
      for (const p of points) {
        const at = serverAt[(p.value as number) - from]!;
        errors.push(Math.max(0, at.before - p.timestamp!, p.timestamp! - at.after));
        stamped.push(p.timestamp!);
      }
    };

    await writeAndMeasure(0);
    const bound = clock.roundTripMs()! / 2 + 5;
    expect(clock.roundTripMs()!).toBeGreaterThanOrEqual(49);
    expect(Math.max(...errors)).toBeLessThanOrEqual(bound);

    // The local wall clock jumps an hour ahead; the monotonic clock carries on. A re-sync after
    // the step must not move the offset, and timestamps keep following the server.
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + HOUR);
    const before = syncs();
    await until(() => syncs() >= before + 4, 'a time_sync burst after the step');
    await writeAndMeasure(100);
    expect(Math.abs(clock.offsetMs() - 90_000)).toBeLessThanOrEqual(bound);
    expect(Math.max(...errors)).toBeLessThanOrEqual(bound);
    expect(stamped).toEqual([...stamped].sort((a, b) => a - b));

    expect(await metric(s.registry, 'fieldbridge_clock_offset_seconds')).toBeCloseTo(90, 1);
    expect(await metric(s.registry, 'fieldbridge_clock_round_trip_seconds')).toBeCloseTo(clock.roundTripMs()! / 1000, 3);
    // Reported for the record: the largest and the typical error, against the bound.
    const sorted = [...errors].sort((a, b) => a - b);
    console.info(
      `clock error over ${errors.length} points: max ${sorted.at(-1)!.toFixed(1)} ms, median ${sorted[sorted.length >> 1]!.toFixed(1)} ms; ` +
        `min round trip ${clock.roundTripMs()!.toFixed(1)} ms, bound ${bound.toFixed(1)} ms`,
    );
  });
});
