import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { startBridge, type Sink, type SinkOptions } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';
import { until as waitFor } from '../src/testing/until.js';
import { KEY, sinkAt, startGateway, tempDir } from './helpers/ws-sink.js';

let gateway: Gateway;
let dir: string;
beforeEach(async () => {
  gateway = await startGateway();
  dir = tempDir();
});

const T0 = 1_700_000_000_000;
const sink = (o: Partial<SinkOptions> = {}) =>
  sinkAt(gateway.url, {
    sourceId: 'durable',
    buffer: { path: join(dir, 'spool') },
    batch: { maxPoints: 100, lingerMs: 10 },
    retry: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, authProbeIntervalMs: 20 },
    shutdownTimeoutMs: 200,
    ...o,
  });
const writeN = (s: Sink, n: number, from = 0, metric = 'm') => {
  for (let i = from; i < from + n; i++) s.write({ metric, value: i, timestamp: T0 + i });
};
const counter = async (registry: Registry, name: string) => {
  const metric = await registry.getSingleMetric(name)?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.reason ?? ''), v.value]));
};

describe('sink with the durable spool', () => {
  it('keeps points on disk under a refused key and delivers them after a restart with the right key', async () => {
    const first = sink({ apiKey: 'wrong-key' });
    writeN(first, 250);
    await waitFor(() => first.status().refused && first.status().spool.points === 250, 'refused with everything spooled');
    await first.close();
    const files = readdirSync(join(dir, 'spool'));
    for (const f of files) {
      const bytes = readFileSync(join(dir, 'spool', f));
      expect(bytes.includes('wrong-key')).toBe(false);
      expect(bytes.includes(KEY)).toBe(false);
    }
    expect(gateway.points()).toHaveLength(0);

    const second = sink();
    await second.flush();
    expect(gateway.points().map((p) => p.value as number).sort((a, b) => a - b)).toEqual([...Array(250).keys()]);
  });

  it('restarts with a backlog of 100,000 points and delivers it oldest first while live points keep flowing', async () => {
    gateway.setFaults({ status: 503 });
    const offline = sink({ batch: { maxPoints: 1000, lingerMs: 10 } });
    writeN(offline, 100_000, 0, 'backlog');
    await offline.close();
    expect(offline.status().spool.points).toBe(100_000);
    gateway.setFaults(undefined);

    const online = sink({ batch: { maxPoints: 1000, lingerMs: 10 } });
    let live = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 50; i++) online.write({ metric: 'live', value: live++, timestamp: T0 + 200_000 + live });
    }, 2);
    await waitFor(() => gateway.points({ metric: 'live' }).length > 0, 'live points arrive during the drain');
    clearInterval(timer);
    await online.flush({ timeoutMs: 60_000 });
    const stored = gateway.points();
    const backlog = stored.filter((p) => p.metric === 'backlog').map((p) => p.value as number);
    expect(new Set(backlog).size).toBe(100_000);
    expect(new Set(stored.filter((p) => p.metric === 'live').map((p) => p.value)).size).toBe(live);
    // Oldest first: the first batches to arrive are the backlog's first ones.
    expect(stored.slice(0, 1000).every((p) => p.metric === 'backlog' && (p.value as number) < 3000)).toBe(true);
  });

  it('survives a simulated hour-long outage with bounded memory, then drains', async () => {
    gateway.setFaults({ status: 503 });
    const s = sink({ batch: { maxPoints: 1000, lingerMs: 1000 } });
    // One hour of 50 points a second, in compressed time.
    const perSecond = 50;
    const seconds = 3600;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    for (let t = 0; t < seconds; t++) {
      for (let k = 0; k < perSecond; k++) s.write({ metric: `outage.ch${k}`, value: t, timestamp: T0 + t * 1000 + k });
      if (t % 300 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    await waitFor(() => s.status().spool.points === perSecond * seconds, 'everything spooled');
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    console.log(`outage: ${perSecond * seconds} points spooled, ${s.status().spool.bytes} bytes on disk, heap grew ${Math.round((heapPeak - heapBefore) / 1e6)} MB`);
    // 180,000 points are about 12 MB of JSON; the backlog lives on disk, not in the heap.
    expect(heapPeak - heapBefore).toBeLessThan(64e6);
    gateway.setFaults(undefined);
    await s.flush({ timeoutMs: 60_000 });
    expect(gateway.points()).toHaveLength(perSecond * seconds);
  });

  it('close() reports what it kept and lost, within the time it is given rather than shutdownTimeoutMs', async () => {
    gateway.setFaults({ status: 503 });
    // A stop budget far beyond the test: only the timeout given to close() can end the wait.
    const durable = sink({ shutdownTimeoutMs: 3_600_000 });
    writeN(durable, 250);
    await durable.spooled();
    expect(await durable.close({ timeoutMs: 0 })).toMatchObject({ lost: 0, kept: 250, refused: 0 });
    const memory = sink({ shutdownTimeoutMs: 3_600_000, buffer: { maxBytes: 1024 * 1024 } });
    writeN(memory, 40);
    expect(await memory.close({ timeoutMs: 0 })).toMatchObject({ lost: 40, kept: 0, refused: 0 });
    // The same report to a second call.
    expect(await memory.close()).toMatchObject({ lost: 40, kept: 0, refused: 0 });
  });

  it('drop_oldest keeps the newest data and counts every dropped point', async () => {
    gateway.setFaults({ status: 503 });
    const registry = new Registry();
    const s = sink({ registry, buffer: { path: join(dir, 'spool'), maxBytes: 20_000, whenFull: 'drop_oldest' }, batch: { maxPoints: 50, lingerMs: 5 } });
    writeN(s, 2000);
    await waitFor(async () => ((await counter(registry, 'fieldbridge_points_dropped_total')).buffer_full ?? 0) > 0, 'drops begin');
    expect(s.status().spool.bytes).toBeLessThanOrEqual(20_000 + 2 * 50 * 70);
    gateway.setFaults(undefined);
    await s.flush();
    const delivered = gateway.points().map((p) => p.value as number);
    const dropped = (await counter(registry, 'fieldbridge_points_dropped_total')).buffer_full ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(delivered.length + dropped).toBe(2000);
    expect(delivered).toContain(1999);
  });

  it('drop_newest keeps the oldest data and counts every dropped point', async () => {
    gateway.setFaults({ status: 503 });
    const registry = new Registry();
    const s = sink({ registry, buffer: { path: join(dir, 'spool'), maxBytes: 20_000, whenFull: 'drop_newest' }, batch: { maxPoints: 50, lingerMs: 5 } });
    writeN(s, 2000);
    await waitFor(async () => ((await counter(registry, 'fieldbridge_points_dropped_total')).buffer_full ?? 0) > 0, 'drops begin');
    gateway.setFaults(undefined);
    await s.flush();
    const delivered = gateway.points().map((p) => p.value as number);
    const dropped = (await counter(registry, 'fieldbridge_points_dropped_total')).buffer_full!;
    expect(delivered.length + dropped).toBe(2000);
    expect(delivered).toContain(0);
    expect(delivered).not.toContain(1999);
  });

  it('block applies backpressure: the bridge skips polls instead of growing memory, then resumes', async () => {
    gateway.setFaults({ status: 503 });
    const registry = new Registry();
    const s = sink({ registry, buffer: { path: join(dir, 'spool'), maxBytes: 10_000, whenFull: 'block' }, batch: { maxPoints: 20, lingerMs: 5 } });
    const bridge = await startBridge(
      counterBridge,
      { source_id: 'durable', sink: { url: 'stdout' }, counter: { interval_ms: 2, fail_once: false, unref_timer: false, hold_once: false, channels: [{ name: 'a', metric: 'blk', start: 0 }] } },
      { sink: s, registry, logger: pino({ level: 'silent' }) },
    );
    await waitFor(async () => ((await registry.getSingleMetric('fieldbridge_polls_skipped_total')?.get())?.values[0]?.value ?? 0) > 5, 'polls skipped');
    expect(s.status().backpressured).toBe(true);
    gateway.setFaults(undefined);
    await waitFor(() => !s.status().backpressured, 'backpressure released');
    await bridge.stop();
    await s.flush();
    const values = gateway.points({ metric: 'blk' }).map((p) => p.value as number);
    const dropped = (await counter(registry, 'fieldbridge_points_dropped_total')).blocked ?? 0;
    // Nothing written was lost silently: every value up to the last is delivered or counted.
    expect(new Set(values).size + dropped).toBe(Math.max(...values) + 1);
  });

  it('expires batches older than max_age and counts them', async () => {
    gateway.setFaults({ status: 503 });
    const registry = new Registry();
    const s = sink({ registry, buffer: { path: join(dir, 'spool'), maxAgeMs: 50 } });
    writeN(s, 30);
    await waitFor(async () => (await counter(registry, 'fieldbridge_points_dropped_total')).expired === 30, 'all 30 expired');
    expect(s.status().spool.points).toBe(0);
  });

  it('a second process on the same spool is refused with a clear error', async () => {
    sink();
    expect(() => sink()).toThrow(/SPOOL_LOCKED|another fieldbridge process|in use/i);
  });
});
