import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSink, type Sink, type SinkEvent, type SinkEventMap, type SinkOptions } from '../src/index.js';
import { until as waitFor } from '../src/testing/until.js';
import { captureLogger, fastRetry, KEY, startGateway, wsSink } from './helpers/ws-sink.js';

const T0 = 1_700_000_000_000;
const EVENTS: SinkEvent[] = ['connected', 'disconnected', 'reconnecting', 'reconnected', 'auth_failed', 'backlog_drained', 'spool_full', 'points_dropped'];

/** Every event the sink emits, in order, as `[name, payload]`. */
function record(sink: Sink): Array<[SinkEvent, SinkEventMap[SinkEvent]]> {
  const seen: Array<[SinkEvent, SinkEventMap[SinkEvent]]> = [];
  for (const event of EVENTS) sink.on(event, (payload) => seen.push([event, payload]));
  return seen;
}
const names = (seen: Array<[SinkEvent, unknown]>) => seen.map(([name]) => name);

const sinks: Sink[] = [];
function httpSink(url: string, o: Partial<SinkOptions> = {}): Sink {
  const s = createSink({ url, apiKey: KEY, sourceId: 'events', logger: pino({ level: 'silent' }), retry: fastRetry, batch: { lingerMs: 5 }, deadLetterPath: '/dev/null', shutdownTimeoutMs: 100, ...o });
  sinks.push(s);
  return s;
}

describe('sink lifecycle events', () => {
  it('over HTTP: connected, then disconnected and reconnecting while the gateway drops requests, then reconnected and backlog_drained', async () => {
    const gateway = await startGateway();
    const s = httpSink(gateway.url);
    const seen = record(s);
    s.send('m', 1, { timestamp: T0 });
    await s.flush();
    expect(seen).toEqual([['connected', { transport: 'http' }]]);

    gateway.setFaults({ drop: true, count: 3 });
    s.send('m', 2, { timestamp: T0 + 1 });
    await s.flush();
    expect(names(seen)).toEqual(['connected', 'disconnected', 'reconnecting', 'reconnecting', 'reconnecting', 'reconnected', 'backlog_drained']);
    expect(seen[1]![1]).toMatchObject({ reason: expect.stringMatching(/socket|closed|ECONNRESET/i) });
    expect(seen.slice(2, 5).map(([, p]) => (p as SinkEventMap['reconnecting']).attempt)).toEqual([1, 2, 3]);
    expect((seen[5]![1] as SinkEventMap['reconnected']).downMs).toBeGreaterThanOrEqual(0);
    await Promise.all(sinks.splice(0).map((x) => x.close()));
    await gateway.close();
  });

  it('over HTTP: auth_failed once, with the status and the server\'s words; the data stays spooled', async () => {
    const gateway = await startGateway();
    const s = httpSink(gateway.url, { apiKey: 'wrong-key' });
    const seen = record(s);
    s.send('m', 1, { timestamp: T0 });
    s.send('m', 2, { timestamp: T0 + 1 });
    await waitFor(() => seen.length > 0, 'auth_failed');
    await expect(s.flush({ timeoutMs: 150 })).rejects.toMatchObject({ code: 'FLUSH_TIMEOUT' });
    expect(seen).toEqual([['auth_failed', { status: 401, message: expect.stringMatching(/HTTP 401/) }]]);
    expect(s.status().spool.points).toBe(2);
    await Promise.all(sinks.splice(0).map((x) => x.close()));
    await gateway.close();
  });

  it('spool_full once per episode when the spool reaches max_bytes, and points_dropped for the evicted data', async () => {
    const gateway = await startGateway();
    gateway.setFaults({ status: 503 });
    const s = httpSink(gateway.url, { buffer: { maxBytes: 4000, whenFull: 'drop_oldest' }, batch: { maxPoints: 10, lingerMs: 1000 } });
    const seen = record(s);
    for (let i = 0; i < 300; i++) s.send('fill', i, { timestamp: T0 + i });
    await waitFor(() => names(seen).includes('points_dropped'), 'points_dropped');
    expect(seen.filter(([n]) => n === 'spool_full')).toEqual([['spool_full', { whenFull: 'drop_oldest' }]]);
    const dropped = seen.filter(([n]) => n === 'points_dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]![1]).toMatchObject({ reason: 'buffer_full', count: 10, total: 10 });
    gateway.setFaults(undefined);
    await Promise.all(sinks.splice(0).map((x) => x.close()));
    await gateway.close();
  });

  it('points_dropped once per episode for invalid points, with the running total', async () => {
    const gateway = await startGateway();
    const s = httpSink(gateway.url);
    const seen = record(s);
    s.send('bad', Number.NaN);
    s.send('bad', Number.POSITIVE_INFINITY);
    s.send('ok', 1, { timestamp: T0 });
    await s.flush();
    expect(seen.filter(([n]) => n === 'points_dropped')).toEqual([['points_dropped', { reason: 'invalid', count: 1, total: 1 }]]);
    await Promise.all(sinks.splice(0).map((x) => x.close()));
    await gateway.close();
  });

  it('a listener that throws or rejects is logged and never stops the sink (no unhandled rejection)', async () => {
    const gateway = await startGateway();
    const { logger, lines } = captureLogger();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const s = httpSink(gateway.url, { logger });
      s.on('points_dropped', async () => {
        throw new Error('async listener bug');
      });
      s.on('points_dropped', () => {
        throw new Error('listener bug');
      });
      const seen = record(s);
      s.send('bad', Number.NaN);
      s.send('ok', 1, { timestamp: T0 });
      await s.flush();
      const failures = () => lines().filter((l) => /listener of the sink's points_dropped event threw/.test(l.msg));
      await waitFor(() => failures().length === 2, 'both listener failures logged');
      expect(failures().map((l) => (l.err as { message: string }).message).sort()).toEqual(['async listener bug', 'listener bug']);
      // A listener after them is still called, and the point was delivered.
      expect(names(seen)).toContain('points_dropped');
      expect(gateway.points({ metric: 'ok' })).toHaveLength(1);
      // A rejection unhandled by the sink would be reported after a turn of the loop: give it one.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    await Promise.all(sinks.splice(0).map((x) => x.close()));
    await gateway.close();
  });

  it('over WebSocket: connected, disconnected and reconnecting when the connection drops, reconnected; auth_failed for a refused key', async () => {
    const gateway = await startGateway();
    const s = wsSink(gateway, { websocket: { timeSyncIntervalMs: 0 } });
    const seen = record(s);
    await waitFor(() => names(seen).includes('connected'), 'connected');
    expect(seen[0]).toEqual(['connected', { transport: 'ws' }]);
    gateway.disconnectDevices();
    await waitFor(() => names(seen).includes('reconnected'), 'reconnected');
    expect(names(seen)).toEqual(['connected', 'disconnected', 'reconnecting', 'reconnected']);
    expect(seen[2]![1]).toEqual({ attempt: 1, delayMs: expect.any(Number) });

    const refused = wsSink(gateway, { apiKey: 'wrong-key', sourceId: 'refused' });
    const refusals = record(refused);
    await waitFor(() => refusals.length > 0, 'auth_failed');
    expect(refusals[0]).toEqual(['auth_failed', { message: expect.stringMatching(/key|auth/i) }]);
  });
});
