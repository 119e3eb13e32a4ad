import { trackCleanups } from '@fieldbridge/core/testing';
import type { UAVariable } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpcua, type OpcuaModule } from '../src/load.js';
import { SIM_NAMESPACE, startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import { pointWhere, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { capturingLogger } from './helpers/logger.js';
import { nsu } from './helpers/servers.js';

// A variable whose values stop being numbers (a PLC tag retyped, a gateway's Variant-typed
// variable reporting a fault as text) moves its series from class metric to class event, where
// a chart of the metric no longer finds it: the bridge says so, once, and when it is over.
const files = createCleanup();
const track = trackCleanups();
let server: OpcuaTestServer;
let opcua: OpcuaModule;
let mixed: UAVariable;

beforeAll(async () => {
  opcua = await loadOpcua(capturingLogger());
  server = await startOpcuaServer({ pkiDir: files.dir('server') });
  files.add(() => server.stop());
  // BaseDataType: the server takes a value of any type, as a Variant-typed variable does.
  const addressSpace = server.server.engine.addressSpace!;
  mixed = addressSpace.getNamespace(SIM_NAMESPACE)!.addVariable({
    organizedBy: addressSpace.rootFolder.objects,
    browseName: 'Mixed',
    nodeId: 's=Mixed',
    dataType: 'BaseDataType',
    value: { dataType: opcua.DataType.Double, value: 1.5 } as never,
  });
});
afterAll(() => files.run());

const setMixed = (dataType: 'Double' | 'String', value: number | string): void => {
  mixed.setValueFromSource({ dataType: opcua.DataType[dataType], value } as never);
};

describe('a variable whose values change type', () => {
  it('is warned about once when its values stop being numbers, counted, and resolved when numbers come again', async () => {
    const { t } = await runSource(track, { endpoint: server.endpointUrl, nodes: [{ metric: 'line.level', node_id: nsu('Mixed'), sampling_interval_ms: 0 }] });
    const key = 'opcua.value.line.level.type_changed';
    const episode = () => t.problems.filter((p) => p.key === key);
    await pointWhere(t, (p) => p.metric === 'line.level' && p.value === 1.5, 'the first number');
    expect(episode()).toEqual([]);

    setMixed('String', 'sensor fault');
    expect(await pointWhere(t, (p) => p.value === 'sensor fault', 'the text')).toMatchObject({ class: 'event' });
    expect(episode()).toEqual([
      {
        kind: 'report',
        key,
        logged: true,
        message:
          `line.level (${nsu('Mixed')}): its values are text now, no longer numbers, so line.level is sent as event points instead of metric points: ` +
          "a chart of line.level gets no more values. Check the variable's data type on the server (bridge-opcua --browse shows it); this ends when numbers come again",
      },
    ]);
    setMixed('String', 'still a fault');
    await pointWhere(t, (p) => p.value === 'still a fault', 'more text');
    expect(episode()).toHaveLength(1);

    setMixed('Double', 2.5);
    expect(await pointWhere(t, (p) => p.value === 2.5, 'a number again')).toMatchObject({ class: 'metric' });
    expect(episode().map((p) => p.kind)).toEqual(['report', 'resolve']);
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'type_changed' })).toBe(1);
  });
});
