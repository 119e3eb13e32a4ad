import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { OpcuaTestServer } from '../src/server.js';
import { pointWhere, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { nsu, serverForFile } from './helpers/servers.js';

// A server closes a subscription that had no Publish request for its whole lifetime (a client
// stalled, a network that held the requests) and says so with a BadTimeout status change. The
// bridge makes it again with every item, reported once as one problem of the subscription, and
// resolved when its items are monitored again.
const files = createCleanup();
const track = trackCleanups();
let server: OpcuaTestServer;

serverForFile(files, (s) => (server = s));

/** Makes the server's subscriptions expire at their next tick, as a lifetime without Publish requests would. */
function expireSubscriptions(): number {
  let expired = 0;
  for (const session of server.server.engine.getSessions()) {
    for (const sub of session.publishEngine.subscriptions) {
      // The server's own lifetime counter, at its limit: its next tick ends the subscription with BadTimeout.
      (sub as unknown as { _life_time_counter: number })._life_time_counter = sub.lifeTimeCount;
      expired += 1;
    }
  }
  return expired;
}

describe('a subscription the server closed', () => {
  it('is made again with its items, reported once as a problem of the subscription and resolved once it is made again', async () => {
    const { t } = await runSource(track, { endpoint: server.endpointUrl, nodes: [{ metric: 'boiler.counter', node_id: nsu('Boiler.Counter'), sampling_interval_ms: 0 }] });
    server.set('Boiler.Counter', 41);
    await pointWhere(t, (p) => p.metric === 'boiler.counter' && p.value === 41, 'the first value');
    expect(expireSubscriptions()).toBe(1);
    const key = 'opcua.subscription_recreated';
    await t.waitFor(() => t.problems.some((p) => p.key === key && p.kind === 'resolve'), 'the episode to end');
    expect(t.problems.filter((p) => p.key.includes('subscription_recreated'))).toEqual([
      {
        kind: 'report',
        key,
        logged: true,
        message: `the server closed the subscription on ${server.endpointUrl} (no Publish request for its whole lifetime); creating it again with every item`,
      },
      { kind: 'resolve', key, message: 'the subscription was created again, with every item' },
    ]);
    server.set('Boiler.Counter', 42);
    await pointWhere(t, (p) => p.metric === 'boiler.counter' && p.value === 42, 'a value after the new subscription');
  });
});
