import { performance } from 'node:perf_hooks';
import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createClock, createSink, type Sink } from '../src/index.js';
import { fastRetry, KEY, startGateway, wsSink } from './helpers/ws-sink.js';

/** Real monotonic time in epoch ms: what both the device and the simulated server build on. */
const mono = () => performance.timeOrigin + performance.now();
const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

/** Sends `count` points and returns how far each landed from the server's clock when it was written. */
async function errorsOf(gateway: Gateway, s: Sink, name: string, count = 10): Promise<number[]> {
  const serverAt: number[] = [];
  for (let i = 0; i < count; i++) {
    serverAt.push(gateway.clockNow());
    s.send(name, i);
  }
  await s.flush();
  return gateway.points({ metric: name }).map((p) => Math.abs(p.timestamp! - serverAt[p.value as number]!));
}

describe('clock: a server whose clock differs after a reconnect', () => {
  it('WebSocket: adopts the handshake time of a restarted gateway with a corrected clock, without time_sync', async () => {
    // Like the real gateway: the handshake is the only clock sample. The first one runs 90 s ahead
    // and answers at once, so its sample has the shorter round trip.
    const first = await createGateway({ apiKeys: [KEY], now: mono, clockOffsetMs: 90_000, wsTimeSync: false });
    const clock = createClock({ monotonicNow: mono });
    const s = wsSink(first, { clock });
    const before = await errorsOf(first, s, 'before');
    expect(Math.max(...before)).toBeLessThan(100);
    expect(Math.abs(clock.offsetMs() - 90_000)).toBeLessThan(100);

    // Restarted on the same port with its clock corrected, over a slower path (20 ms each way).
    const reconnected = new Promise<void>((resolve) => s.on('reconnected', () => resolve()));
    const port = first.port;
    await first.close();
    const second = await startGateway({ port, now: mono, clockOffsetMs: 0, wsTimeSync: false, wsDelayMs: { toServer: 20, toDevice: 20 } });
    await reconnected;

    const after = await errorsOf(second, s, 'after');
    expect(Math.abs(clock.offsetMs())).toBeLessThan(100);
    expect(Math.max(...after)).toBeLessThan(100);
  });

  it('HTTP: follows server_time_ms from the first answer after the server clock was corrected', async () => {
    const gateway = await startGateway({ now: mono, clockOffsetMs: 90_000 });
    const clock = createClock({ monotonicNow: mono });
    const s = createSink({
      url: gateway.url, apiKey: KEY, sourceId: 'http-clock', clock,
      logger: pino({ level: 'silent' }), retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null',
    });
    sinks.push(s);
    expect(Math.max(...(await errorsOf(gateway, s, 'before')))).toBeLessThan(100);

    // Corrected by 90 s, and answering more slowly than before (the old samples have the shorter round trip).
    gateway.setClockOffsetMs(0);
    gateway.setFaults({ delayMs: 30 });
    await errorsOf(gateway, s, 'carrier', 1);
    expect(Math.abs(clock.offsetMs())).toBeLessThan(100);
    expect(Math.max(...(await errorsOf(gateway, s, 'after')))).toBeLessThan(100);
  });
});
