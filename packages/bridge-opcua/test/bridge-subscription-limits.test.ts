import { captureLogs, trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startOpcuaServer, type OpcuaServerOptions, type OpcuaTestServer } from '../src/server.js';
import { pointsOf, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { nsu, restartOn } from './helpers/servers.js';

// The bridge against a server that takes 3 monitored items in one subscription, as a PLC's server
// takes tens or hundreds: every item of the mapping is monitored, over as many subscriptions as
// it needs, and all of them come back after the server restarts.
const files = createCleanup();
const track = trackCleanups();
afterAll(() => files.run());

const NODES = ['Boiler.Pressure', 'Boiler.Temperature', 'Boiler.Counter', 'Sim.Types.Double'] as const;
const MOTORS = ['Motor1', 'Motor2', 'Motor3'].flatMap((m) => [`${m}.Speed`, `${m}.Current`]);

describe('the bridge against a server with a small MaxMonitoredItemsPerSubscription', () => {
  it('monitors every item over several subscriptions, and resumes them all after the server restarts', async () => {
    const options: Omit<OpcuaServerOptions, 'port'> = { pkiDir: files.dir('server'), capabilities: { maxMonitoredItemsPerSubscription: 3 } };
    let server: OpcuaTestServer = await startOpcuaServer(options);
    track.defer(() => server.stop());
    const { logger, messages } = captureLogs('info');
    const { t, source } = await runSource(
      track,
      {
        endpoint: server.endpointUrl,
        pki: files.dir('client'),
        nodes: NODES.map((key) => ({ metric: key.replace('Sim.', '').toLowerCase(), node_id: nsu(key.replace('Sim.', '')), sampling_interval_ms: 0 })),
        folders: [{ metric: 'line1.{path}', browse_path: 'Line1', sampling_interval_ms: 0 }],
      },
      { logger },
    );
    const metrics = ['boiler.pressure', 'boiler.temperature', 'boiler.counter', 'types.double', ...MOTORS.map((m) => `line1.${m}`)];
    await t.waitFor(() => t.ready() && metrics.every((m) => pointsOf(t, m).length > 0), 'a point of every item');
    // 10 items and the folder's model change item: 4 subscriptions of at most 3 items.
    expect(messages()).toContain(`${server.endpointUrl}: connected (None/None), 10 items monitored in 4 subscriptions (the server takes at most 3 items in one)`);
    expect(await t.metric('fieldbridge_opcua_subscriptions', {})).toBe(4);
    expect(await t.metric('fieldbridge_opcua_monitored_items', { state: 'active' })).toBe(10);
    expect(t.problems).toEqual([]);

    const port = server.port;
    await server.stop();
    await t.waitFor(() => !t.ready(), 'the loss reported');
    server = await restartOn(port, options);
    await t.waitFor(() => t.ready(), 'connected again');
    // Every item of every subscription was created again: each sends what it has now.
    const values = new Map(metrics.map((m, i) => [m, 7000 + i]));
    const set = (): void => {
      server.set('Boiler.Pressure', values.get('boiler.pressure'));
      server.set('Boiler.Temperature', values.get('boiler.temperature'));
      server.set('Boiler.Counter', values.get('boiler.counter'));
      server.set('Types.Double', values.get('types.double'));
      for (const m of MOTORS) server.set(`Line1.${m}`, values.get(`line1.${m}`));
    };
    set();
    await t.waitFor(() => metrics.every((m) => pointsOf(t, m).some((p) => p.value === values.get(m))), 'every item\'s value after the restart');
    expect(source.subscription()!.stats()).toMatchObject({ active: 10, refused: 0, subscriptions: 4 });
    expect(await t.metric('fieldbridge_opcua_subscriptions', {})).toBe(4);
    expect(await t.metric('fieldbridge_opcua_reconnects_total', {})).toBe(1);
    expect(messages()).toContainEqual(expect.stringMatching(/reconnected after a gap of \S+ without data; server restarted at \S+; a new session and subscriptions \(the server no longer had them\), every monitored item created again/));
  });

  it('after a restart with other limits, places the items of the subscriptions the server no longer gives on those it gives', async () => {
    const pkiDir = files.dir('server');
    let server: OpcuaTestServer = await startOpcuaServer({ pkiDir, capabilities: { maxMonitoredItemsPerSubscription: 3 } });
    track.defer(() => server.stop());
    const { logger, messages } = captureLogs('info');
    const { t, source } = await runSource(
      track,
      { endpoint: server.endpointUrl, pki: files.dir('client'), folders: [{ metric: 'line1.{path}', browse_path: 'Line1', sampling_interval_ms: 0, rescan_s: 0 }] },
      { logger },
    );
    const metrics = MOTORS.map((m) => `line1.${m}`);
    await t.waitFor(() => t.ready() && metrics.every((m) => pointsOf(t, m).length > 0), 'a point of every item');
    expect(source.subscription()!.stats()).toMatchObject({ active: 6, subscriptions: 2 });
    const port = server.port;
    await server.stop();
    await t.waitFor(() => !t.ready(), 'the loss reported');
    // Reconfigured: one subscription per session, of up to 10 items. node-opcua creates the first
    // subscription again; the second is refused (BadTooManySubscriptions), its items go to the first.
    server = await restartOn(port, { pkiDir, capabilities: { maxMonitoredItemsPerSubscription: 10, maxSubscriptionsPerSession: 1 } });
    await t.waitFor(() => t.ready(), 'connected again');
    // What node-opcua re-created is checked once the session is back; the items then placed anew.
    await t.waitFor(() => source.subscription()!.stats().subscriptions === 1 && source.subscription()!.stats().active === 6, 'every item monitored again');
    expect(source.subscription()!.stats()).toMatchObject({ refused: 0, subscriptions: 1 });
    expect(messages()).toContain(`${server.endpointUrl}: 1 subscription(s) could not be created again after the reconnect; their 3 items are placed on subscriptions anew`);
    for (const [i, m] of MOTORS.entries()) server.set(`Line1.${m}`, 8000 + i);
    await t.waitFor(() => MOTORS.every((m, i) => pointsOf(t, `line1.${m}`).some((p) => p.value === 8000 + i)), "every item's value after the restart");
    expect(t.problems.filter((p) => p.kind === 'report' && p.key.startsWith('opcua.item'))).toEqual([]);
  });
});
