import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createClock, createSink, type Clock, type ClockSample, type Sink, type SinkOptions } from '../src/index.js';
import { closedPort } from './helpers/closed-port.js';
import { KEY, metric, startGateway, tempDir, wsSink } from './helpers/ws-sink.js';

/** Real monotonic time in epoch ms: what both the device and the simulated server build on. */
const mono = () => performance.timeOrigin + performance.now();

/** The server's time just before and just after a stamp was taken. */
type Window = { before: number; after: number };

/**
 * How far a stored timestamp is from the server's time when it was taken: 0 inside the window.
 * (A pause between reading the server's time and taking the stamp, a collection on a loaded
 * machine, is not an error of the clock.)
 */
const errorFrom = (timestamp: number, at: Window) => Math.max(0, at.before - timestamp, timestamp - at.after);

/** Takes a stamp (or writes a stamped point) between two readings of the server's time. */
function within(serverNow: () => number, take: () => void): Window {
  const before = serverNow();
  take();
  return { before, after: serverNow() };
}

/**
 * Writes 20 points with no timestamp at once (before the sink has any clock sample), noting
 * the server's time around each write, then flushes and returns how far each stored timestamp
 * is from the server's time at its write.
 */
async function firstPointErrors(sink: Sink, serverNow: () => number, stored: () => Array<{ value: unknown; timestamp?: number }>): Promise<number[]> {
  const serverAt: Window[] = [];
  for (let i = 0; i < 20; i++) serverAt.push(within(serverNow, () => sink.send('first.points', i)));
  await sink.flush();
  const points = stored();
  expect(points).toHaveLength(20);
  return points.map((p) => errorFrom(p.timestamp!, serverAt[p.value as number]!));
}

/**
 * The clock, also noting the round trip of every sample it took: a stamp corrected with the
 * offset of some sample is within half that sample's round trip, and on a loaded machine the
 * first sample (which the early stamps may be corrected with) can be far slower than the best.
 */
function roundTrips(clock: Clock): Clock & { worstRoundTripMs(): number } {
  let worst = 0;
  const add = clock.addSample.bind(clock);
  return Object.assign(clock, {
    addSample(sample: ClockSample) {
      worst = Math.max(worst, sample.receivedAtMs - sample.sentAtMs - (sample.serverHoldMs ?? 0) + (sample.resolutionMs ?? 1));
      return add(sample);
    },
    worstRoundTripMs: () => worst,
  });
}

describe('clock correction from the first point of a run', () => {
  it('over HTTP: the first batch is stamped in server time (a HEAD of the ingest URL asks for it first)', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const clock = roundTrips(createClock({ monotonicNow: mono }));
    const sink = createSink({ url: gateway.url, apiKey: KEY, sourceId: 'first-http', clock, logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' });
    try {
      expect(clock.synced()).toBe(false);
      const errors = await firstPointErrors(sink, () => gateway.clockNow(), () => gateway.points({ metric: 'first.points' }));
      expect(Math.max(...errors)).toBeLessThanOrEqual(clock.worstRoundTripMs() / 2 + 5);
      expect(Math.abs(clock.offsetMs() - 90_000)).toBeLessThanOrEqual(clock.roundTripMs()! / 2 + 5);
    } finally {
      await sink.close();
    }
  });

  it("a bridge's receipt stamps taken from sink.clock before the first sample are corrected too; a device's own times are not", async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const clock = roundTrips(createClock({ monotonicNow: mono }));
    const sink = createSink({ url: gateway.url, apiKey: KEY, sourceId: 'first-bridge', clock, logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' });
    try {
      const serverAt: Window[] = [];
      const deviceTime = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 20; i++) {
        // As a poller stamps an answer: ctx.clock is the sink's clock.
        let stamp = 0;
        serverAt.push(within(() => gateway.clockNow(), () => (stamp = sink.clock.now())));
        sink.write({ metric: 'bridge.stamped', value: i, timestamp: stamp });
      }
      sink.write({ metric: 'device.stamped', value: 1, timestamp: deviceTime });
      await sink.flush();
      const errors = gateway.points({ metric: 'bridge.stamped' }).map((p) => errorFrom(p.timestamp!, serverAt[p.value as number]!));
      expect(errors).toHaveLength(20);
      expect(Math.max(...errors)).toBeLessThanOrEqual(clock.worstRoundTripMs() / 2 + 5);
      expect(gateway.points({ metric: 'device.stamped' })[0]!.timestamp).toBe(deviceTime);
    } finally {
      await sink.close();
    }
  });

  it('a receipt stamp taken from sink.clock before the first sample but written after it is corrected too, by the offset of the first batches', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const clock = roundTrips(createClock({ monotonicNow: mono }));
    const sink = createSink({ url: gateway.url, apiKey: KEY, sourceId: 'late-write', clock, logger: pino({ level: 'silent' }), batch: { lingerMs: 5 }, deadLetterPath: '/dev/null' });
    try {
      let taken = 0;
      const serverAt = within(() => gateway.clockNow(), () => (taken = sink.clock.now()));
      sink.write({ metric: 'first', value: 1, timestamp: taken });
      await sink.flush();
      expect(clock.synced()).toBe(true);
      // The same stamp again (a decode that finished late, an alert's `since`): the same time as before.
      sink.write({ metric: 'late', value: 1, timestamp: taken });
      await sink.flush();
      const [first] = gateway.points({ metric: 'first' });
      const [late] = gateway.points({ metric: 'late' });
      expect(late!.timestamp).toBe(first!.timestamp);
      expect(errorFrom(late!.timestamp!, serverAt)).toBeLessThanOrEqual(clock.worstRoundTripMs() / 2 + 5);
    } finally {
      await sink.close();
    }
  });

  it('over WebSocket: the first batch is stamped in server time (the handshake carries it)', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000, wsDelayMs: { toServer: 40, toDevice: 10 } });
    const clock = createClock({ monotonicNow: mono });
    const sink = wsSink(gateway, { clock, websocket: { timeSyncIntervalMs: 0 } });
    expect(clock.synced()).toBe(false);
    const errors = await firstPointErrors(sink, () => gateway.clockNow(), () => gateway.points({ metric: 'first.points' }));
    // The handshake is one sample over the 40/10 ms path: off by at most half its round trip.
    const bound = clock.roundTripMs()! / 2 + 5;
    expect(clock.roundTripMs()!).toBeGreaterThanOrEqual(49);
    expect(Math.max(...errors)).toBeLessThanOrEqual(bound);
  });

  it('a receiver that never tells its time: after first_sample_wait_ms the points go with the local clock, counted', async () => {
    const received: Array<{ value: unknown; timestamp?: number }> = [];
    // An ingest service with no Date header and no server time at all.
    const server: Server = createServer((req, res) => {
      res.sendDate = false;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'POST') received.push(...(JSON.parse(body) as { points: Array<{ value: unknown }> }).points);
        res.writeHead(req.method === 'POST' ? 200 : 405).end(req.method === 'POST' ? '{"success":true}' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
    const registry = new Registry();
    const sink = createSink({ url, sourceId: 'no-time', logger: pino({ level: 'silent' }), registry, batch: { lingerMs: 5 }, gzip: false, firstSampleWaitMs: 150, deadLetterPath: '/dev/null', retry: { initialDelayMs: 10, maxDelayMs: 40 } });
    try {
      const before = Date.now();
      sink.send('local', 1);
      await sink.flush({ timeoutMs: 10_000 });
      expect(received).toHaveLength(1);
      expect(received[0]!.timestamp).toBeGreaterThanOrEqual(before - 1000);
      expect(sink.clock.synced()).toBe(false);
      expect(await metric(registry, 'fieldbridge_points_unsynced_total')).toBe(1);
    } finally {
      await sink.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('points an earlier run spooled before it had server time keep that run\'s clock, counted; this run\'s are corrected', async () => {
    const dir = tempDir();
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const options = (extra: Partial<SinkOptions>): SinkOptions => ({
      url: gateway.url,
      apiKey: KEY,
      sourceId: 'two-runs',
      logger: pino({ level: 'silent' }),
      batch: { lingerMs: 5 },
      buffer: { path: dir },
      deadLetterPath: '/dev/null',
      retry: { initialDelayMs: 10, maxDelayMs: 40, jitter: 0 },
      shutdownTimeoutMs: 50,
      ...extra,
    });
    // Run 1 never reaches the receiver, not even for its time: nothing listens where it sends.
    // (A receiver dropping the requests could still store one whose bytes it had read when
    // run 1 gave up, and gateway-dev answers HEAD whatever its fault plan.)
    const first = createSink(options({ url: `http://127.0.0.1:${await closedPort()}/ingest`, firstSampleWaitMs: 60_000 }));
    first.send('run', 1);
    await expect(first.flush({ timeoutMs: 200 })).rejects.toMatchObject({ code: 'FLUSH_TIMEOUT' });
    await first.close();

    const registry = new Registry();
    const second = createSink(options({ registry }));
    try {
      second.send('run', 2);
      await second.flush();
      const points = gateway.points({ metric: 'run' });
      // Each once (two requests in flight: in either order).
      expect(points.map((p) => p.value).sort()).toEqual([1, 2]);
      const [one, two] = [1, 2].map((value) => points.find((p) => p.value === value));
      // Run 1's point kept its local stamp: 90 s behind the server's clock.
      expect(two!.timestamp! - one!.timestamp!).toBeGreaterThan(80_000);
      expect(Math.abs(two!.timestamp! - gateway.clockNow())).toBeLessThan(5_000);
      expect(await metric(registry, 'fieldbridge_points_unsynced_total')).toBe(1);
    } finally {
      await second.close();
    }
  });
});
