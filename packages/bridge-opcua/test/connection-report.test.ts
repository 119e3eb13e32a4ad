import { createTestContext } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { createConnectionReport } from '../src/_connection-report.js';
import { createOpcuaMetrics } from '../src/_metrics.js';
import type { OpcuaConnection } from '../src/connection.js';
import type { ItemStatus, OpcuaSubscription, SubscriptionStats } from '../src/subscription-types.js';

// The report's side of what the server granted less of: said once connected, and for items
// monitored while the connection was repaired (a retry, a rescan then: the channel was not
// connected, so nothing was said) once it is restored, not only at the next change of the items.
const ENDPOINT = 'opc.tcp://plc1:4840';

/** A subscription as the report reads it: its items and counters, which the test changes. */
function subscriptionOf(items: ItemStatus[]): OpcuaSubscription {
  const stats = { active: 0, subscriptions: 1, publishingIntervalMs: 1000, recreations: 0 } as SubscriptionStats;
  return {
    items: () => items,
    stats: () => ({ ...stats, active: items.filter((i) => i.state === 'active').length }),
  } as OpcuaSubscription;
}

const sampled = (key: string, askedIntervalMs: number, grantedIntervalMs: number): ItemStatus => ({
  key,
  kind: 'value',
  label: `nsu=urn:plc1;s=${key}`,
  state: 'active',
  sampling: { askedIntervalMs, grantedIntervalMs, askedQueueSize: 10, grantedQueueSize: 10 },
});

describe('what the server granted less of', () => {
  it('is said once a repaired connection is restored, for items monitored while it was repaired', () => {
    const t = createTestContext({ bridge: 'opcua' });
    const channel = t.ctx.channel(ENDPOINT);
    const report = createConnectionReport({ ctx: t.ctx, channel, metrics: createOpcuaMetrics(t.ctx.registry), stableMs: 30_000, retryRefusedMs: 60_000, publishingIntervalMs: 1000 });
    const granted = () => t.logs.messages('warn').filter((m) => m.includes('granted less'));
    const items = [sampled('pressure', 100, 100)];
    const sub = subscriptionOf(items);
    report.up({ security: { mode: 'None', policy: 'None' } } as OpcuaConnection, sub);
    expect(granted()).toEqual([]);

    report.event({ type: 'lost', reason: 'connection lost', atMs: 0 }, sub);
    // A retry while node-opcua repairs the connection monitors an item, sampled slower than asked.
    items.push(sampled('later', 100, 1000));
    report.itemsChanged(sub);
    expect(granted()).toEqual([]);

    report.event({ type: 'restored', gapMs: 1500, attempts: 2, sessionRecreated: false, namespacesChanged: false }, sub);
    expect(granted()).toEqual([
      `${ENDPOINT}: the server granted less than the mapping asks: it samples 1 variable slower than sampling_interval_ms asks, so a change undone between two samples is not seen: later every 1s (asked 100ms)`,
    ]);
    // Said once: the next look at the items (the retry the restore queues) adds nothing.
    report.itemsChanged(sub);
    expect(granted()).toHaveLength(1);
    report.stop();
  });
});
