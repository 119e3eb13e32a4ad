import { trackCleanups } from '@fieldbridge/core/testing';
import type { UAObject } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { S7_NAMESPACE, useS7Server } from './helpers/plc-nodes.js';

// folders[] over what a plant's address space holds: device objects one level below max_depth,
// the Server object under Objects, and a folder that appears while the bridge runs.
//
// Below PLC_1: DataBlocksGlobal (1) / DB_Line (2) / 6 variables (3)
//                                  / DB_Big (2) / Station0, Station1 (3) / Val0..Val2 (4)
//                                  / DB_Block0 (2), empty
const files = createCleanup();
const track = trackCleanups();
const server = useS7Server(files, { stations: 2, perStation: 3, blocks: 1, perBlock: 0 });

const s7 = (id: string): string => `nsu=${S7_NAMESPACE};s=${id}`;
const cutOf = (t: Awaited<ReturnType<typeof runSource>>['t']) => t.problems.filter((p) => p.key.endsWith('.folder_truncated'));

describe('a folder walk stopped by max_depth', () => {
  it('names each object at the limit with something below it, what is below it, and the max_depth that looks into it', async () => {
    const { t, source } = await runSource(track, { endpoint: server().endpointUrl, folders: [{ metric: 'plc.{path}', browse_path: 'PLC_1', max_depth: 2 }] });
    await t.waitFor(() => cutOf(t).length > 0, 'the folder reported');
    // Before: nothing monitored and nothing said.
    expect(source.items()).toEqual([]);
    expect(cutOf(t).map((p) => p.message)).toEqual([
      `folder plc.{path} (PLC_1): max_depth 2 stopped at objects with more below them: ` +
        `DataBlocksGlobal/DB_Big (node_id: '${s7('"DB_Big"')}'; 2 objects below it), ` +
        `DataBlocksGlobal/DB_Line (node_id: '${s7('"DB_Line"')}'; 6 variables below it) not looked into. ` +
        `To take what is below them, raise max_depth to 3 (more for what lies below their objects), ` +
        `or add a folders[] entry for one of them (its node_id as above, with a metric template of its own)`,
    ]);
    // The empty data block at the limit holds nothing to miss.
    expect(cutOf(t)[0]!.message).not.toContain('DB_Block0');
  });

  it('one level more takes the variables below the last objects and names the objects still at the limit', async () => {
    const { t, source } = await runSource(track, { endpoint: server().endpointUrl, folders: [{ metric: 'plc.{path}', browse_path: 'PLC_1', max_depth: 3 }] });
    await t.waitFor(() => cutOf(t).length > 0 && t.ready(), 'subscribed, the folder reported');
    expect(source.items().map((i) => i.browsePath?.join('/'))).toHaveLength(6);
    const message = cutOf(t)[0]!.message!;
    expect(message).toContain(`DataBlocksGlobal/DB_Big/Station0 (node_id: '${s7('"DB_Big"."Station0"')}'; 3 variables below it), DataBlocksGlobal/DB_Big/Station1`);
    expect(message).toContain('raise max_depth to 4, or add a folders[] entry');
  });

  it('says nothing when the limit leaves nothing below it', async () => {
    const { t, source } = await runSource(track, { endpoint: server().endpointUrl, folders: [{ metric: 'plc.{path}', browse_path: 'PLC_1', max_depth: 4 }] });
    await t.waitFor(() => t.ready() && source.items().length > 0, 'subscribed');
    expect(source.items()).toHaveLength(12);
    expect(cutOf(t)).toEqual([]);
  });
});

describe('a folder over Objects', () => {
  it('leaves out the Server object and its diagnostics, and says so once with how to include it', async () => {
    const { t, source } = await runSource(track, { endpoint: server().endpointUrl, folders: [{ metric: 'all.{path}', node_id: 'i=85', max_depth: 4 }] });
    await t.waitFor(() => t.ready() && source.items().length > 0, 'subscribed');
    const paths = source.items().map((i) => i.browsePath?.join('/') ?? '');
    expect(paths).toContain('PLC_1/DataBlocksGlobal/DB_Line/Temp');
    // Before: Server/ServerStatus, Server/ServerDiagnostics/SessionsDiagnosticsSummary/... (ours too).
    expect(paths.filter((p) => p.startsWith('Server/'))).toEqual([]);
    const said = t.logs.messages('info').filter((m) => m.includes('left out the Server object'));
    expect(said).toEqual([
      "folder all.{path} (i=85): left out the Server object below it (Server, i=2253): the server's diagnostics of itself and of every session, ours too, not the plant's data, and they change with each session; to monitor them, add a folders[] entry with node_id: i=2253",
    ]);
  });

  it('monitors the Server object when a folder names it', async () => {
    const { t, source } = await runSource(track, { endpoint: server().endpointUrl, folders: [{ metric: 'server().{path}', node_id: 'i=2253', max_depth: 1 }] });
    await t.waitFor(() => t.ready() && source.items().length > 0, 'subscribed');
    expect(source.items().map((i) => i.browsePath?.join('/'))).toContain('ServerStatus');
    expect(t.logs.messages().filter((m) => m.includes('left out the Server object'))).toEqual([]);
  });

  it('below the Server object, leaves out the diagnostics of each session and subscription (ours among them), and says so once', async () => {
    const { t, source } = await runSource(track, { endpoint: server().endpointUrl, folders: [{ metric: 'server().{path}', node_id: 'i=2253', max_depth: 4 }] });
    await t.waitFor(() => t.ready() && source.items().length > 0, 'subscribed');
    const paths = source.items().map((i) => i.browsePath?.join('/') ?? '');
    expect(paths).toContain('ServerStatus/CurrentTime');
    expect(paths).toContain('ServerDiagnostics/ServerDiagnosticsSummary/CurrentSessionCount');
    // Before: ServerDiagnostics/SessionsDiagnosticsSummary/<our session>/... and the subscription arrays.
    expect(paths.filter((p) => /SessionsDiagnosticsSummary|SubscriptionDiagnosticsArray/.test(p))).toEqual([]);
    expect(t.logs.messages('info').filter((m) => m.includes('each client session'))).toEqual([
      'folder server().{path} (i=2253): left out the diagnostics of each client session and subscription below it (ServerDiagnostics/SessionsDiagnosticsSummary, ServerDiagnostics/SubscriptionDiagnosticsArray): ' +
        'one item per session, ours among them, each gone when its session ends; to monitor them, add a folders[] entry with node_id: i=3706 (sessions) or i=2290 (subscriptions)',
    ]);
  });
});

describe('metric names of a folder found while the bridge runs', () => {
  it('reports, by name, a variable whose metric collides with one already monitored, though the number of items stayed the same', async () => {
    const { t, source } = await runSource(track, {
      endpoint: server().endpointUrl,
      retry_refused_ms: '1s',
      nodes: [{ metric: 'line.Temp', browse_path: 'PLC_1/DataBlocksGlobal/DB_Line/Temp' }],
      folders: [{ metric: 'line.{name}', browse_path: 'PLC_1/DataBlocksGlobal/DB_Late' }],
    });
    await t.waitFor(() => t.ready() && source.items().some((i) => i.state === 'unresolved'), 'the folder not found yet');
    expect(source.items()).toHaveLength(2);
    // A data block downloaded into the PLC while the bridge runs: its one variable gives line.Temp too.
    const addressSpace = server().server.engine.addressSpace!;
    const ns = addressSpace.getNamespace(S7_NAMESPACE);
    const blocks = addressSpace.findNode(`ns=${ns.index};s=DataBlocksGlobal`) as UAObject;
    const late = ns.addObject({ componentOf: blocks, browseName: 'DB_Late', nodeId: 's="DB_Late"' });
    ns.addVariable({ componentOf: late, browseName: 'Temp', nodeId: 's="DB_Late"."Temp"', dataType: 'Double', value: { dataType: 11, value: 9 } as never });

    await t.waitFor(() => t.problems.some((p) => p.key.endsWith('metric_collision')), 'the collision reported');
    expect(source.items()).toHaveLength(2);
    const collision = t.problems.find((p) => p.key.endsWith('metric_collision'))!;
    expect(collision.message).toBe(
      'metric "line.Temp" is made for 2 variables with the same tags: PLC_1/DataBlocksGlobal/DB_Line/Temp (nodes[0]), PLC_1/DataBlocksGlobal/DB_Late/Temp (folders[0]); their values would mix in one series: tell them apart in the template ({path} rather than {name}), or map them as nodes[] entries with names of their own',
    );
  });
});
