import { until } from '@fieldbridge/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpcuaConnection } from '../src/connection.js';
import { isOpcuaBridgeError } from '../src/errors.js';
import type { OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { monitoredByServer, nsu, sessionForFile, unsayItemsPerSubscription } from './helpers/servers.js';

const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

sessionForFile(cleanup, (s, c) => {
  server = s;
  connection = c;
});

describe('items the server refuses', () => {
  it('are reported by name while the others flow, and monitored once the node appears', async () => {
    const c = collector();
    const sub = await subscribe(connection, {
      publishingIntervalMs: 50,
      retryRefusedMs: 100,
      variables: [
        { key: 'pressure', nodeId: nsu('Boiler.Pressure'), samplingIntervalMs: 0 },
        { key: 'late', nodeId: nsu('Boiler.Late'), samplingIntervalMs: 0 },
        { key: 'counter', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0 },
      ],
      ...c.handlers,
    });
    cleanup.add(() => sub.close());
    const problem = await c.problem((p) => p.item === 'late');
    expect(problem).toEqual({
      kind: 'item_refused',
      item: 'late',
      message: `late: the server refused to monitor ${nsu('Boiler.Late')} (BadNodeIdUnknown): no node has this id; bridge-opcua --browse lists the ids the server has; trying again every 100ms`,
    });
    expect(sub.items().find((i) => i.key === 'late')).toMatchObject({ state: 'refused', message: 'BadNodeIdUnknown' });
    server.set('Boiler.Counter', 5);
    await c.value((v) => v.item.key === 'counter' && v.value === 5);
    await c.value((v) => v.item.key === 'pressure');
    // The node appears on the server: the next retry monitors it.
    server.addVariable('Boiler.Late', 6.5);
    expect((await c.value((v) => v.item.key === 'late')).value).toBe(6.5);
    // The first value may be handled before the answer that created the item.
    await until(() => sub.stats().active === 3, 'the late item counted as monitored');
    expect(sub.stats()).toMatchObject({ active: 3, refused: 0 });
  });

  it('takes out an item whose node was deleted, and monitors the node again once it is back', async () => {
    server.addVariable('Boiler.Transient', 1.5);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 100, variables: [{ key: 'transient', browsePath: 'Boiler/Transient', samplingIntervalMs: 0 }], ...c.handlers });
    cleanup.add(() => sub.close());
    await c.value((v) => v.item.key === 'transient' && v.value === 1.5);
    // A PLC program download: the node goes, and comes back (here with the same id) later.
    server.removeVariable('Boiler.Transient');
    const gone = await c.value((v) => v.item.key === 'transient' && v.value === null);
    const problem = await c.problem((p) => p.item === 'transient');
    expect(problem).toEqual({
      kind: 'item_refused',
      item: 'transient',
      message: `transient: the server says Boiler/Transient no longer exists (${gone.status}): deleted, or renumbered by a PLC program download; creating its item again every 100ms, so it resumes once the node is back`,
    });
    server.addVariable('Boiler.Transient', 2.5);
    expect((await c.value((v) => v.item.key === 'transient' && v.value === 2.5)).status).toBe('Good');
    await until(() => sub.stats().active === 1, 'the item counted as monitored again');
  });

  it('reports a browse path that names nothing, with the names that exist', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: [{ key: 'nope', browsePath: 'Boiler/Presure' }, { key: 'ok', browsePath: '/Boiler/Pressure' }], ...c.handlers });
    cleanup.add(() => sub.close());
    const problem = await c.problem((p) => p.item === 'nope');
    expect(problem.kind).toBe('node_unresolved');
    expect(problem.message).toMatch(/^nope: browse path Boiler\/Presure: Boiler has no child named Presure \(it has .*Pressure.*\)/);
    await c.value((v) => v.item.key === 'ok');
  });

  it('says to name a variable, or use folders[], for a node id that names an object', async () => {
    const c = collector();
    const sub = await subscribe(connection, { variables: [{ key: 'line1', nodeId: nsu('Line1') }], ...c.handlers });
    cleanup.add(() => sub.close());
    expect((await c.problem((p) => p.item === 'line1')).message).toBe(
      `line1: the server refused to monitor ${nsu('Line1')} (BadAttributeIdInvalid): it has no value (an object or a folder?); name a variable, or put it under folders[] to monitor every variable below it; trying again every 1m`,
    );
  });

  it('refuses a malformed node id before asking the server', async () => {
    const err = await subscribe(connection, { variables: [{ key: 'bad', nodeId: 'Boiler.Temperature' }], onData() {} }).catch((e: unknown) => e);
    expect(isOpcuaBridgeError(err, 'NODE_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^variable 1 \(bad\): "Boiler.Temperature": the identifier must start with i=, s=, g= or b=/);
  });
});

describe('folders', () => {
  it('monitor every variable below a node, each with its browse path', async () => {
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, folders: [{ key: 'line1', nodeId: nsu('Line1') }], ...c.handlers });
    cleanup.add(() => sub.close());
    const paths = sub.items().map((i) => i.browsePath?.join('/'));
    expect(paths.sort()).toEqual(['Motor1/Current', 'Motor1/Speed', 'Motor2/Current', 'Motor2/Speed', 'Motor3/Current', 'Motor3/Speed']);
    const speed = await c.value((v) => v.item.browsePath?.join('/') === 'Motor2/Speed');
    expect(speed).toMatchObject({ value: 2000, item: { key: 'line1', nodeId: nsu('Line1.Motor2.Speed') } });
  });

  it('stop at their bounds and say so', async () => {
    const c = collector();
    const sub = await subscribe(connection, { folders: [{ key: 'line1', browsePath: 'Line1', maxItems: 4 }], ...c.handlers });
    cleanup.add(() => sub.close());
    // Shared between the motors: Motor1 whole, one of Motor2's and Motor3's two each.
    expect(sub.items().map((i) => i.browsePath?.join('/'))).toEqual(['Motor1/Current', 'Motor1/Speed', 'Motor2/Current', 'Motor3/Current']);
    expect((await c.problem((p) => p.kind === 'folder_truncated')).message).toMatch(/^folder line1 \(Line1\): max_items 4 took 4 of 6 variables, .*; left out 1 of 2 in Motor2 .*, 1 of 2 in Motor3 .*\. To take them, raise max_items to 6, or add a folders\[\] entry for a sub-folder/);
  });
});

describe('a server that takes few monitored items per call', () => {
  const variables = [
    { key: 'pressure', nodeId: nsu('Boiler.Pressure'), samplingIntervalMs: 0 },
    { key: 'temperature', nodeId: nsu('Boiler.Temperature'), samplingIntervalMs: 0 },
    { key: 'counter', nodeId: nsu('Boiler.Counter'), samplingIntervalMs: 0 },
  ];
  const limits = () => server.server.engine.serverCapabilities.operationLimits;
  let before: number | undefined;
  afterEach(() => void (limits().maxMonitoredItemsPerCall = before ?? limits().maxMonitoredItemsPerCall));

  it('gets its items in as many requests as its MaxMonitoredItemsPerCall asks', async () => {
    // More items than that in one CreateMonitoredItems are all refused (BadTooManyOperations).
    before = limits().maxMonitoredItemsPerCall;
    limits().maxMonitoredItemsPerCall = 2;
    const rejected = (): number => server.server.engine.serverDiagnosticsSummary.rejectedRequestsCount;
    const rejectedBefore = rejected();
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables, ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.items().map((i) => [i.key, i.state, i.message])).toEqual(variables.map((v) => [v.key, 'active', undefined]));
    // Its limit read first, no request was too large: not one refused (and sent again in halves).
    expect(rejected()).toBe(rejectedBefore);
    await c.value((v) => v.item.key === 'counter');
  });

  it.each([
    ['past its MaxMonitoredItemsPerSubscription, gets them on more subscriptions', false, 77],
    // A server before OPC UA 1.05: the ServerCapabilities node is not there.
    ['that does not say its MaxMonitoredItemsPerSubscription, gets them on more subscriptions once it refused one for room', true, 78],
  ] as const)('%s', async (_, unsaid, counter) => {
    const capabilities = server.server.engine.serverCapabilities;
    const most = capabilities.maxMonitoredItemsPerSubscription;
    capabilities.maxMonitoredItemsPerSubscription = 2;
    cleanup.add(() => void (capabilities.maxMonitoredItemsPerSubscription = most));
    if (unsaid) unsayItemsPerSubscription(server);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables, ...c.handlers });
    cleanup.add(() => sub.close());
    capabilities.maxMonitoredItemsPerSubscription = most;
    expect(sub.items().map((i) => [i.key, i.state, i.message])).toEqual(variables.map((v) => [v.key, 'active', undefined]));
    expect(sub.stats()).toMatchObject({ subscriptions: 2, itemsPerSubscription: 2 });
    server.set('Boiler.Counter', counter);
    await c.value((v) => v.item.key === 'counter' && v.value === counter);
    expect(c.problems).toEqual([]);
    await sub.close();
  });

  it('past its MaxMonitoredItems over all clients, refuses them by name with what to change', async () => {
    const capabilities = server.server.engine.serverCapabilities;
    const most = capabilities.maxMonitoredItems;
    const held = monitoredByServer(server);
    capabilities.maxMonitoredItems = held + 2;
    cleanup.add(() => void (capabilities.maxMonitoredItems = most));
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables, ...c.handlers });
    cleanup.add(() => sub.close());
    capabilities.maxMonitoredItems = most;
    expect(sub.items().map((i) => [i.key, i.state, i.message])).toEqual([
      ['pressure', 'active', undefined],
      ['temperature', 'active', undefined],
      ['counter', 'refused', 'BadTooManyMonitoredItems'],
    ]);
    // A subscription of its own took none either: it was not kept.
    expect(sub.stats().subscriptions).toBe(1);
    expect((await c.problem((p) => p.item === 'counter')).message).toBe(
      `counter: the server refused to monitor ${nsu('Boiler.Counter')} (BadTooManyMonitoredItems): the server monitors no more items over all its clients (its MaxMonitoredItems), not even in a subscription of their own; ` +
        "2 items are monitored, 1 is not: raise MaxMonitoredItems in the server's configuration, or monitor fewer (fewer nodes, a lower max_items in folders[]); trying again every 10m",
    );
    await sub.close();
  });

  it('that it does not say, gets them in smaller requests after refusing a large one, and asks no more in one after', async () => {
    before = limits().maxMonitoredItemsPerCall;
    limits().maxMonitoredItemsPerCall = 2;
    // The server enforces the limit but its OperationLimits node says none (0), as some servers do.
    const opcua = await import('node-opcua');
    const node = server.server.engine.addressSpace!.findNode('i=11714') as import('node-opcua').UAVariable;
    node.bindVariable({ get: () => new opcua.Variant({ dataType: opcua.DataType.UInt32, value: 0 }) }, true);
    // A second sampling interval: a second set of requests, which the size found for the first fits.
    const all = [...variables, ...['Line1.Motor1.Speed', 'Line1.Motor2.Speed', 'Line1.Motor3.Speed'].map((key) => ({ key, nodeId: nsu(key), samplingIntervalMs: 100 }))];
    const rejected = (): number => server.server.engine.serverDiagnosticsSummary.rejectedRequestsCount;
    const rejectedBefore = rejected();
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, retryRefusedMs: 600_000, variables: all, ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.items().map((i) => [i.key, i.state, i.message])).toEqual(all.map((v) => [v.key, 'active', undefined]));
    // Only the first request was too large: the later ones were made as small as the halves that went through.
    expect(rejected() - rejectedBefore).toBe(1);
    await c.value((v) => v.item.key === 'counter');
  });
});
