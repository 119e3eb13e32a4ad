import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSink, type Sink, type SinkEventMap } from '../src/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { closedPort } from './helpers/closed-port.js';
import { captureLogger, fastRetry, metric, startGateway } from './helpers/ws-sink.js';

describe('a receiver that is down when the sink starts', () => {
  it('over HTTP: reconnecting and a log line from the first failed attempt, long before first_sample_wait; then connected', async () => {
    const port = await closedPort();
    const { logger, lines } = captureLogger();
    const registry = new Registry();
    const s: Sink = createSink({
      url: `http://127.0.0.1:${port}/ingest`, apiKey: 'ws-key', sourceId: 'down-at-start', registry, logger,
      retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 100,
      // Points stamped by the sink wait up to a minute for the receiver's time: the outage must show before that.
      firstSampleWaitMs: 60_000,
    });
    try {
      const reconnecting: Array<SinkEventMap['reconnecting']> = [];
      const connected: string[] = [];
      s.on('reconnecting', (e) => reconnecting.push(e));
      s.on('connected', ({ transport }) => connected.push(transport));
      s.send('m', 1);
      await waitFor(() => reconnecting.length > 0, 'reconnecting');
      expect(reconnecting[0]).toMatchObject({ attempt: 1 });
      expect(lines().find((l) => /sending failed/.test(l.msg) && /ECONNREFUSED/.test(l.msg))).toBeDefined();
      expect(await metric(registry, 'fieldbridge_send_errors_total', { status: 'network' })).toBeGreaterThanOrEqual(1);

      // The receiver comes up: the point goes out with the receiver's time, not past the deadline.
      const gateway = await startGateway({ port });
      await s.flush();
      expect(connected).toEqual(['http']);
      expect(gateway.points({ metric: 'm' })).toHaveLength(1);
      expect(await metric(registry, 'fieldbridge_points_unsynced_total')).toBe(0);
    } finally {
      await s.close();
    }
  });
});
