// A flush or a close waits for delivery: a retry waiting out a long backoff goes at once, and a
// receiver's Retry-After still holds. Found by a fleet operator's test: a receiver back from a
// five-second outage near the end of a log upload was retried 14 s later, after the shutdown
// window had closed, and the memory spool's points were lost.
import type { Gateway } from '@fieldbridge/gateway-dev';
import { beforeEach, describe, expect, it } from 'vitest';
import { until } from '../src/testing/until.js';
import { captureLogger, sinkAt, startGateway } from './helpers/ws-sink.js';

let gateway: Gateway;
beforeEach(async () => {
  gateway = await startGateway();
});

/** A sink whose backoff after a failure is a minute: only a hurried retry delivers within a test. */
const slowRetrySink = () => sinkAt(gateway.url, { sourceId: 'hurry', batch: { maxPoints: 10, lingerMs: 5 }, retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } });

describe('hurried retries', () => {
  it('a flush cuts a pending backoff short: the receiver back, the points arrive within the flush', async () => {
    gateway.setFaults({ status: 503, count: 1 });
    const s = slowRetrySink();
    for (let i = 0; i < 10; i++) s.send('m', i);
    await until(() => gateway.stats().byStatus['503'] === 1, 'the first attempt refused');
    await s.flush({ timeoutMs: 10_000 });
    expect(gateway.points({ metric: 'm' })).toHaveLength(10);
  });

  it('a close does too', async () => {
    gateway.setFaults({ status: 503, count: 1 });
    const s = slowRetrySink();
    for (let i = 0; i < 10; i++) s.send('m', i);
    await until(() => gateway.stats().byStatus['503'] === 1, 'the first attempt refused');
    expect(await s.close({ timeoutMs: 10_000 })).toMatchObject({ lost: 0, kept: 0 });
    expect(gateway.points({ metric: 'm' })).toHaveLength(10);
  });

  it('but not the wait a receiver asked for (Retry-After)', async () => {
    gateway.setFaults({ status: 429, count: 1, retryAfter: '120' });
    const s = slowRetrySink();
    for (let i = 0; i < 10; i++) s.send('m', i);
    await until(() => gateway.stats().byStatus['429'] === 1, 'the first attempt answered 429');
    await expect(s.flush({ timeoutMs: 1000 })).rejects.toMatchObject({ code: 'FLUSH_TIMEOUT' });
    expect(gateway.stats().requests).toBe(1);
  });

  it('a success of a request sent before the last failure does not say the receiver recovered', async () => {
    const { logger, lines } = captureLogger();
    const s = sinkAt(gateway.url, { sourceId: 'hurry', logger, batch: { maxPoints: 10, lingerMs: 5 }, retry: { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 } });
    const said = (pattern: RegExp) => lines().filter((l) => pattern.test(l.msg)).length;
    // The first request is answered (200) two seconds late; meanwhile the receiver goes down.
    gateway.setFaults({ delayMs: 2000, count: 1 });
    for (let i = 0; i < 10; i++) s.send('early', i);
    await until(() => gateway.stats().requests === 1, 'the first request in flight');
    gateway.setFaults({ status: 503 });
    for (let i = 0; i < 10; i++) s.send('late', i);
    await until(() => said(/sending failed/) === 1, 'the second request refused');
    await until(() => gateway.points({ metric: 'early' }).length === 10 && s.status().spool.points === 10, 'the first answered');
    expect(said(/delivery recovered/)).toBe(0);
    gateway.setFaults(undefined);
    await s.flush({ timeoutMs: 10_000 });
    expect(said(/delivery recovered/)).toBe(1);
  });
});
