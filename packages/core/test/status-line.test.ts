import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { formatStatus, sampleCounters } from '../src/cli/status-line.js';
import type { SinkStatus } from '../src/sink/sink-types.js';

const sink: SinkStatus = { accepting: true, refused: false, backpressured: false, stalled: false, spool: { batches: 1, points: 250, bytes: 9000, oldestCreatedAtMs: 0 }, receiver: 'up' };

describe('status line', () => {
  it('shows the rate since the last sample, the spool, drops and channel states', () => {
    const line = formatStatus(
      { atMs: 0, sent: 1000, dropped: 0 },
      { atMs: 30_000, sent: 4000, dropped: 2 },
      sink,
      { ready: false, details: { channels: { press1: 'connected', press2: 'disconnected' } } },
    );
    expect(line).toBe('sent 4,000 points (100/s), spooled 250, dropped 2; press1 connected, press2 disconnected');
  });

  it('says when the receiver refuses the key or the spool is full', () => {
    const line = formatStatus({ atMs: 0, sent: 0, dropped: 0 }, { atMs: 1000, sent: 0, dropped: 0 }, { ...sink, refused: true, backpressured: true, stalled: true }, { ready: false, details: {} });
    expect(line).toContain('the receiver refuses our key');
    expect(line).toContain('spool full: polls skipped');
    expect(line).toContain('the spool is failing: nothing is delivered');
  });

  it('says when the receiver is not taking data, and why', () => {
    const line = formatStatus({ atMs: 0, sent: 0, dropped: 0 }, { atMs: 1000, sent: 0, dropped: 0 }, { ...sink, receiver: 'down', receiverReason: 'connect ECONNREFUSED 127.0.0.1:8080' }, { ready: true, details: {} });
    expect(line).toBe('sent 0 points (0/s), spooled 250, dropped 0, the receiver is not taking data (connect ECONNREFUSED 127.0.0.1:8080)');
  });

  it('reads the totals from the sink registry, summing labelled series', async () => {
    const registry = new Registry();
    new Counter({ name: 'fieldbridge_points_sent_total', help: 'x', registers: [registry] }).inc(7);
    const dropped = new Counter({ name: 'fieldbridge_points_dropped_total', help: 'x', labelNames: ['reason'], registers: [registry] });
    dropped.inc({ reason: 'invalid' }, 2);
    dropped.inc({ reason: 'expired' }, 3);
    expect(await sampleCounters(registry, 5)).toEqual({ atMs: 5, sent: 7, dropped: 5 });
  });
});
