// `when_full`: its episodes logged, and `block` against a writer that obeys it: what was
// written before the sink said "blocked" is held, never dropped. Found by an operator's test:
// an MQTT bridge holding its acknowledgements still lost a spool's worth of messages after each
// outage, because batches still being compressed when the spool filled reached it after the
// eighth held batch.
import { join } from 'node:path';
import type { Gateway } from '@fieldbridge/gateway-dev';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Sink } from '../src/index.js';
import { until } from '../src/testing/until.js';
import { captureLogger, sinkAt, startGateway, tempDir } from './helpers/ws-sink.js';

let gateway: Gateway;
let dir: string;
beforeEach(async () => {
  gateway = await startGateway();
  dir = tempDir();
});

const T0 = 1_700_000_000_000;

/**
 * Writes `n` points (values `from` on) as a bridge reading a socket does: a burst at a time (one
 * read's worth of messages), checking the sink's backpressure before each point and waiting while it holds.
 */
async function writer(s: Sink, n: number, burst: number, obeys = true, from = 0): Promise<void> {
  const end = from + n;
  let i = from;
  while (i < end) {
    for (let k = 0; k < burst && i < end; k++) {
      if (obeys && s.status().backpressured) await s.whenWritable!();
      s.write({ metric: 'seq', value: i, timestamp: T0 + i });
      i++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A sink on the gateway with a 16 KiB spool, small batches and fast retries; `buffer` adds the spool's path and policy. */
function smallSpoolSink(buffer: { path?: string; whenFull: 'block' | 'drop_oldest' }, logger?: Logger) {
  return sinkAt(gateway.url, {
    sourceId: 'full',
    ...(logger ? { logger } : {}),
    buffer: { maxBytes: 16 * 1024, ...buffer },
    batch: { maxPoints: 100, lingerMs: 20 },
    retry: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 },
  });
}

async function dropped(s: Sink & { registry: Registry }, reason = 'blocked'): Promise<number> {
  const values = (await s.registry.getSingleMetric('fieldbridge_points_dropped_total')?.get())?.values ?? [];
  return values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

describe('when_full', () => {
  for (const spool of ['disk', 'memory'] as const) {
    it(`holds every batch an obedient writer sealed before it was told to wait (${spool} spool, gzip on)`, async () => {
      gateway.setFaults({ status: 503 });
      const N = 30_000;
      const s = smallSpoolSink({ ...(spool === 'disk' ? { path: join(dir, 'spool') } : {}), whenFull: 'block' });
      // Bursts that end mid-batch: the open batch is sealed by its linger while the writer waits.
      const writing = writer(s, N, 2050);
      await until(() => s.status().backpressured, 'the spool full');
      gateway.setFaults(undefined);
      await writing;
      await s.flush({ timeoutMs: 60_000 });
      expect(await dropped(s)).toBe(0);
      const values = new Set(gateway.points({ metric: 'seq' }).map((p) => p.value as number));
      expect(values.size).toBe(N);
    });
  }

  it('a writer that does not wait loses what does not fit, counted and logged once, and the rest arrives', async () => {
    gateway.setFaults({ status: 503 });
    const { logger, lines } = captureLogger();
    const s = smallSpoolSink({ whenFull: 'block' }, logger);
    // Until the sink says so, nothing written can be dropped (it may all still be compressing
    // when the spool fills, on a busy machine): the writer goes on past that point.
    let N = 0;
    while (!s.status().backpressured) {
      await writer(s, 2000, 2000, false, N);
      N += 2000;
    }
    await writer(s, 10_000, 2000, false, N);
    N += 10_000;
    await until(async () => (await dropped(s)) > 0, 'dropped as blocked');
    gateway.setFaults(undefined);
    await s.flush({ timeoutMs: 60_000 });
    const lost = await dropped(s);
    const values = new Set(gateway.points({ metric: 'seq' }).map((p) => p.value as number));
    expect(values.size + lost).toBe(N);
    expect(lines().filter((l) => /does not wait/.test(l.msg))).toHaveLength(1);
    expect(lines().filter((l) => /no longer dropping/.test(l.msg))).toHaveLength(1);
  });

  it('drop_oldest: the episode of dropping is logged once when it starts and once when the spool has room again', async () => {
    gateway.setFaults({ status: 503 });
    const { logger, lines } = captureLogger();
    const s = smallSpoolSink({ whenFull: 'drop_oldest' }, logger);
    await writer(s, 30_000, 2000, false);
    await until(async () => (await dropped(s, 'buffer_full')) > 0, 'dropped as buffer_full');
    gateway.setFaults(undefined);
    await s.flush({ timeoutMs: 60_000 });
    await writer(s, 100, 100);
    await s.flush({ timeoutMs: 60_000 });
    expect(lines().filter((l) => /^spool full/.test(l.msg)).map((l) => l.msg)).toEqual([
      'spool full (buffer.max_bytes 16KiB): dropping the oldest undelivered data to make room for new (when_full: drop_oldest); raise buffer.max_bytes to hold a longer outage, ' +
        'or set when_full: block to make the bridges wait (a poll is skipped, MQTT holds its acknowledgements) (further occurrences are counted, not logged, until it recovers)',
    ]);
    expect(lines().filter((l) => /no longer dropping data \(when_full\)/.test(l.msg))).toHaveLength(1);
  });
});
