import { createGateway } from '@fieldbridge/gateway-dev';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSink, type Sink } from '../src/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { captureLogger, fastRetry, KEY, metric, startGateway, wsSink } from './helpers/ws-sink.js';

/** The sink's answer to `status().refused`, read inside every `auth_failed` listener call. */
function refusedInListener(s: Sink): boolean[] {
  const seen: boolean[] = [];
  s.on('auth_failed', () => seen.push(s.status().refused));
  return seen;
}

describe('a refused key is refused from the moment it is heard', () => {
  it('over WebSocket: status().refused at auth_failed, while points wait for a clock sample; logged once', async () => {
    const gateway = await startGateway();
    const { logger, lines } = captureLogger();
    // Points stamped by the sink wait for the handshake's clock sample, which a refused key never
    // gives: only past first_sample_wait does the delivery loop try them (and hear the refusal itself).
    const s = wsSink(gateway, { apiKey: 'wrong', logger, firstSampleWaitMs: 300 });
    const inListener = refusedInListener(s);
    s.send('m', 1);
    await waitFor(() => inListener.length > 0, 'auth_failed');
    expect(inListener).toEqual([true]);
    expect(s.status().refused).toBe(true);
    expect(await metric(s.registry, 'fieldbridge_sink_refused')).toBe(1);

    await waitFor(async () => (await metric(s.registry, 'fieldbridge_batches_total', { result: 'unauthorized' })) >= 1, 'a send refused');
    expect(s.status().refused).toBe(true);
    expect(lines().filter((l) => l.level === 50 && /refuse/.test(l.msg))).toHaveLength(1);
  });

  it('over WebSocket: no longer refused once a connection authenticates', async () => {
    const first = await createGateway({ apiKeys: ['another-key'] });
    const s = wsSink(first, { firstSampleWaitMs: 60_000 });
    await waitFor(() => s.status().refused, 'refused');
    // The gateway restarts on the same port, now accepting the key.
    const connected: boolean[] = [];
    s.on('connected', () => connected.push(s.status().refused));
    const port = first.port;
    await first.close();
    await startGateway({ port });
    await waitFor(() => connected.length > 0, 'connected');
    expect(connected).toEqual([false]);
  });

  it('over HTTP: status().refused already true in the auth_failed listener', async () => {
    const gateway = await startGateway();
    const s = createSink({
      url: gateway.url, apiKey: 'wrong', sourceId: 'http-refused', registry: new Registry(),
      logger: pino({ level: 'silent' }), retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 100,
    });
    try {
      const inListener = refusedInListener(s);
      s.send('m', 1);
      await waitFor(() => inListener.length > 0, 'auth_failed');
      expect(inListener).toEqual([true]);
    } finally {
      await s.close();
    }
  });
});
