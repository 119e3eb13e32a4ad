import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { browseAddressSpace } from '../src/browse.js';
import { formatBrowseMapping, formatBrowseText } from '../src/browse-format.js';
import type { OpcuaConnection } from '../src/connection.js';
import { isOpcuaBridgeError } from '../src/errors.js';
import { SIM_NAMESPACE, type OpcuaTestServer } from '../src/server.js';
import { subscribe } from '../src/subscription.js';
import { createCleanup } from './helpers/cleanup.js';
import { collector } from './helpers/collect.js';
import { clientFor, sessionForFile } from './helpers/servers.js';

const cleanup = createCleanup();
let server: OpcuaTestServer;
let connection: OpcuaConnection;

sessionForFile(cleanup, (s, c) => {
  server = s;
  connection = c;
});

describe('browsing the address space', () => {
  it('lists the nodes below a browse path with namespace URIs, data types, access levels and values', async () => {
    const result = await browseAddressSpace(connection, { start: 'Boiler' });
    expect(result.start).toBe(`nsu=${SIM_NAMESPACE};s=Boiler`);
    const temperature = result.entries.find((e) => e.browseName === 'Temperature');
    expect(temperature).toMatchObject({
      nodeId: `nsu=${SIM_NAMESPACE};s=Boiler.Temperature`,
      browseNamespace: SIM_NAMESPACE,
      nodeClass: 'Variable',
      path: ['Temperature'],
      depth: 1,
      dataType: 'Double',
      access: ['read', 'write'],
      value: 20,
    });
    // Properties (EURange, EngineeringUnits) describe the variable and are left out.
    expect(result.entries.map((e) => e.browseName)).not.toContain('EURange');
    const text = formatBrowseText(result);
    expect(text).toContain(`  Temperature  [Variable, Double, read+write]  nsu=${SIM_NAMESPACE};s=Boiler.Temperature  = 20\n`);
    expect(text).toContain(`  ${server.namespaceIndex}  ${SIM_NAMESPACE}\n`);
  });

  it('writes data types of every kind, arrays with [] and structures by name', async () => {
    const result = await browseAddressSpace(connection, { start: `nsu=${SIM_NAMESPACE};s=Sim`, maxDepth: 2 });
    const byName = new Map(result.entries.map((e) => [e.path.join('/'), e]));
    expect(byName.get('Types/Int64')).toMatchObject({ dataType: 'Int64', value: -2 });
    expect(byName.get('Types/ExtensionObject')).toMatchObject({ dataType: 'Range', value: { low: -5, high: 120.5 } });
    expect(byName.get('Arrays/Double')).toMatchObject({ dataType: 'Double[]', value: [1.5, -2.25, 1e300] });
    expect(byName.get('Arrays/Matrix')).toMatchObject({ dataType: 'Double[][]', value: [[1, 2, 3], [4, 5, 6]] });
  });

  it('shows a StatusCode value by its name, as a point carries it', async () => {
    const result = await browseAddressSpace(connection, { start: 'Sim/Types', maxDepth: 1 });
    const entry = result.entries.find((e) => e.browseName === 'StatusCode');
    expect(entry).toMatchObject({ dataType: 'StatusCode', value: 'BadSensorFailure' });
    expect(entry).not.toHaveProperty('valueProblem');
  });

  it('places a node where it sits, not under the notifier its events go to', async () => {
    // The Boiler is an event source of the Server object (HasNotifier), and Server comes first.
    const result = await browseAddressSpace(connection, { maxDepth: 2, maxNodes: 1000 });
    expect(result.entries.find((e) => e.browseName === 'Boiler')).toMatchObject({ path: ['Boiler'], depth: 1 });
    expect(result.entries.some((e) => e.path[0] === 'Server' && e.path[1] === 'Boiler')).toBe(false);
  });

  it('stops at its bounds and says so', async () => {
    const deep = await browseAddressSpace(connection, { start: 'Sim', maxDepth: 1 });
    expect(deep.entries.map((e) => e.browseName).sort()).toEqual(['Arrays', 'Types']);
    const few = await browseAddressSpace(connection, { start: 'Sim', maxDepth: 3, maxNodes: 5 });
    expect(few.entries).toHaveLength(5);
    expect(few.truncated).toBe(true);
    expect(formatBrowseText(few)).toContain('stopped at 5 nodes');
  });

  it('refuses a start that names nothing', async () => {
    const err = await browseAddressSpace(connection, { start: 'Nowhere/Else' }).catch((e: unknown) => e);
    expect(isOpcuaBridgeError(err, 'NODE_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/Objects has no child named Nowhere/);
  });

  it('refuses a start node id that does not exist, by namespace index or URI', async () => {
    for (const start of [`ns=${server.namespaceIndex};s=Nope`, `nsu=${SIM_NAMESPACE};s=Nope`]) {
      const err = await browseAddressSpace(connection, { start }).catch((e: unknown) => e);
      expect(isOpcuaBridgeError(err, 'NODE_INVALID'), String(err)).toBe(true);
      expect((err as Error).message).toBe(`node ${start} does not exist on the server (BadNodeIdUnknown)`);
    }
  });

  it('emits a nodes[] mapping that subscribes as it is', async () => {
    const result = await browseAddressSpace(connection, { start: 'Line1' });
    const mapping = parse(formatBrowseMapping(result, { metricPrefix: 'line1.' })) as { nodes: { metric: string; node_id: string }[] };
    expect(mapping.nodes.map((n) => n.metric).sort()).toEqual([
      'line1.motor1.current',
      'line1.motor1.speed',
      'line1.motor2.current',
      'line1.motor2.speed',
      'line1.motor3.current',
      'line1.motor3.speed',
    ]);
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: mapping.nodes.map((n) => ({ key: n.metric, nodeId: n.node_id })), ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.stats()).toMatchObject({ active: 6, refused: 0, unresolved: 0 });
    expect((await c.value((v) => v.item.key === 'line1.motor3.speed')).value).toBe(3000);
  });

  it('leaves what belongs to one session out of an emitted mapping, saying how many, so it subscribes in the next session', async () => {
    const browsing = await clientFor(cleanup, server.endpointUrl, cleanup.dir('browsing'));
    const result = await browseAddressSpace(browsing, { start: 'Server', maxDepth: 4, maxNodes: 1000 });
    const own = result.entries.filter((e) => e.perSession);
    // The browsing session's own diagnostics: its object below SessionsDiagnosticsSummary and
    // its elements of the session arrays, named after its id.
    expect(own.map((e) => e.path.slice(2).join('/'))).toEqual(expect.arrayContaining([expect.stringMatching(/^SessionDiagnosticsArray\/ns=1;g=/), expect.stringMatching(/^ClientSession\d*\/SessionDiagnostics$/)]));
    const yaml = formatBrowseMapping(result);
    const readable = own.filter((e) => e.nodeClass === 'Variable' && e.access?.includes('read')).length;
    expect(readable).toBeGreaterThan(0);
    expect(yaml.split('\n')[1]).toBe(`# ${readable} variables left out: diagnostics of one client session or subscription (this browse's own among them), gone when it ends (BadNodeIdUnknown on the next run)`);
    const mapping = parse(yaml) as { nodes: { metric: string; node_id: string }[] };
    expect(mapping.nodes.some((n) => n.metric.includes('serverstatus'))).toBe(true);
    await browsing.close();
    // What was pasted is monitored in the next run's session, every item of it.
    const c = collector();
    const sub = await subscribe(connection, { publishingIntervalMs: 50, variables: mapping.nodes.map((n) => ({ key: n.metric, nodeId: n.node_id })), ...c.handlers });
    cleanup.add(() => sub.close());
    expect(sub.stats()).toMatchObject({ active: mapping.nodes.length, refused: 0, unresolved: 0 });
    await sub.close();
  });
});
