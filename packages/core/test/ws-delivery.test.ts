import type { Gateway } from '@fieldbridge/gateway-dev';
import { describe, expect, it } from 'vitest';
import type { Sink } from '../src/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { captureLogger, metric, startGateway, wsSink } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;
const ROUNDS = 5;
const PER_ROUND = 400;

/**
 * Writes ROUNDS x PER_ROUND points; in each round, once `inFlight` says frames are on their way
 * (some still delayed inside the gateway), it drops the connection. Resolves after the sink has
 * flushed and the gateway has handled all it received.
 */
async function writeThroughDisconnects(gateway: Gateway, s: Sink, inFlight: (storedBefore: number) => boolean | Promise<boolean>): Promise<number> {
  let value = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const storedBefore = gateway.stats().points;
    for (let i = 0; i < PER_ROUND; i++, value++) s.send('seq', value, { timestamp: T0 + value });
    await waitFor(() => inFlight(storedBefore), `round ${round}: frames on their way`);
    expect(gateway.disconnectDevices()).toBe(1);
  }
  await s.flush({ timeoutMs: 20_000 });
  // Frames are handled in order: once the answer to a ping is handled, so is every frame before it.
  await waitFor(() => gateway.devices().length === 1, 'connected after the last drop');
  await gateway.sendControl(undefined, { type: 'ping' });
  return value;
}

describe('WebSocket sink: delivery across forced disconnects', () => {
  it('with acks, loses nothing: every point arrives, duplicates only as resent batch ids', async () => {
    const gateway = await startGateway({ wsDelayMs: { toServer: 5 } });
    const s = wsSink(gateway, { batch: { maxPoints: 20, lingerMs: 2 } });
    // Part of the round stored: the rest is in flight or still to be sent.
    const written = await writeThroughDisconnects(gateway, s, (before) => gateway.stats().points >= before + 50);
    const points = gateway.points({ metric: 'seq' });
    expect(new Set(points.map((p) => p.value)).size).toBe(written);
    const firstCopies = points.filter((p) => p.duplicate !== true);
    expect(firstCopies).toHaveLength(written);
    expect(await metric(s.registry, 'fieldbridge_ws_connects_total', { result: 'authenticated' })).toBe(ROUNDS + 1);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_possibly_lost_total')).toBe(0);
    expect(s.status().spool.points).toBe(0);
  });

  it('without acks, loses nothing either: the pong after a frame is its acknowledgement', async () => {
    // Frames (and the pings after them) wait 5 ms inside the gateway: some are in flight at each drop.
    const gateway = await startGateway({ wsAck: false, wsDelayMs: { toServer: 5 } });
    const { logger, lines } = captureLogger();
    const s = wsSink(gateway, { logger, batch: { maxPoints: 20, lingerMs: 2 } });
    const written = await writeThroughDisconnects(gateway, s, (before) => gateway.stats().points >= before + 50);
    const points = gateway.points({ metric: 'seq' });
    expect(new Set(points.map((p) => p.value)).size).toBe(written);
    expect(points.filter((p) => p.duplicate !== true)).toHaveLength(written);
    expect(await metric(s.registry, 'fieldbridge_ws_frames_possibly_lost_total')).toBe(0);
    expect(await metric(s.registry, 'fieldbridge_ws_delivery_guarantee', { mode: 'at_least_once_read' })).toBe(1);
    expect(lines().find((l) => /does not acknowledge telemetry frames: a batch leaves the spool once the pong/.test(l.msg))).toMatchObject({ level: 30 });
    expect(s.status().spool.points).toBe(0);
  });
});
