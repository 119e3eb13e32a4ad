import { createGateway, type Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSink, type Sink, type SinkOptions } from '../src/index.js';

let gateway: Gateway;
const sinks: Sink[] = [];
beforeEach(async () => {
  gateway = await createGateway({ apiKeys: ['write-key'], readOnlyKeys: ['read-key'] });
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await gateway.close();
});

const T0 = 1_700_000_000_000;
const sink = (o: Partial<SinkOptions> = {}) => {
  const s = createSink({
    url: gateway.url,
    apiKey: 'write-key',
    sourceId: 'gw-test',
    logger: pino({ level: 'silent' }),
    retry: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, authProbeIntervalMs: 20 },
    deadLetterPath: '/dev/null',
    ...o,
  });
  sinks.push(s);
  return s;
};

describe('sink -> gateway-dev', () => {
  it('delivers every point through faults, with duplicates only as retried batch ids', async () => {
    const s = sink({ batch: { maxPoints: 50, lingerMs: 10 } });
    gateway.setFaults({ status: 503, count: 3, retryAfter: '0' });
    for (let i = 0; i < 500; i++) s.send('seq', i, { timestamp: T0 + i });
    await s.flush();
    gateway.setFaults({ drop: true, count: 2 });
    for (let i = 500; i < 1000; i++) s.send('seq', i, { timestamp: T0 + i });
    await s.flush();
    const values = new Set(gateway.points({ metric: 'seq' }).map((p) => p.value));
    expect(values.size).toBe(1000);
    expect(gateway.stats().byStatus['503']).toBe(3);
  });

  it('a read-only key (403) keeps everything and reports refusal', async () => {
    const s = sink({ apiKey: 'read-key' });
    s.send('m', 1, { timestamp: T0 });
    s.send('m', 2, { timestamp: T0 + 1 });
    const flushing = s.flush({ timeoutMs: 200 });
    await expect(flushing).rejects.toMatchObject({ code: 'FLUSH_TIMEOUT' });
    expect(s.status()).toMatchObject({ refused: true, spool: { points: 2 } });
    expect(gateway.points()).toHaveLength(0);
  });

  it('counts what it does in Prometheus metrics', async () => {
    const registry = new Registry();
    const s = sink({ registry });
    s.send('ok', 1, { timestamp: T0 });
    s.send('bad', Number.NaN, { timestamp: T0 });
    await s.flush();
    const text = await registry.metrics();
    expect(text).toMatch(/fieldbridge_points_received_total 2/);
    expect(text).toMatch(/fieldbridge_points_sent_total 1/);
    expect(text).toMatch(/fieldbridge_points_dropped_total\{reason="invalid"\} 1/);
    expect(text).toMatch(/fieldbridge_spool_points 0/);
  });

  it('adopts the server clock from server_time_ms', async () => {
    gateway.setClockOffsetMs(90_000);
    const s = sink();
    s.send('m', 1, { timestamp: T0 });
    await s.flush();
    expect(Math.abs(s.clock.offsetMs() - 90_000)).toBeLessThan(500);
    s.send('stamped', 1);
    await s.flush();
    const [p] = gateway.points({ metric: 'stamped' });
    expect(Math.abs(p!.timestamp! - gateway.clockNow())).toBeLessThan(500);
  });
});
