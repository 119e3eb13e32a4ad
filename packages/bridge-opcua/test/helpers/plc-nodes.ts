import type { UAObject } from 'node-opcua';
import { afterAll, beforeAll } from 'vitest';
import { startOpcuaServer, type OpcuaTestServer } from '../../src/server.js';
import type { Cleanup } from './cleanup.js';

/** The namespace URI of an S7-1500's OPC UA server. */
export const S7_NAMESPACE = 'http://www.siemens.com/simatic-s7-opcua';

/**
 * The variables of `"DB_Line"` as an S7-1500 names them: quotes around each name, dots between
 * them, array elements in brackets, and names with spaces, umlauts, `#` and `: ` that YAML reads
 * as something else when not quoted. Browse name to string identifier.
 */
export const S7_LINE_VARIABLES: Readonly<Record<string, string>> = {
  Temp: '"DB_Line"."Temp"',
  'Motor Speed': '"DB_Line"."Motor Speed"',
  Öltemperatur: '"DB_Line"."Öltemperatur"',
  'Temp #1': '"DB_Line"."Temp #1"',
  'Mode: auto': '"DB_Line"."Mode: auto"',
  'Stations[0]': '"DB_Line"."Stations"[0]',
};

/** What {@link addS7DataBlocks} adds besides `"DB_Line"`. */
export interface S7Blocks {
  /** `"DB_Big"` with this many station objects of `perStation` variables each. */
  stations: number;
  perStation: number;
  /** Data blocks `"DB_Block0"`, `"DB_Block1"`, ... of `perBlock` variables each (`"DB_Block2"."Val7"`). */
  blocks?: number;
  perBlock?: number;
  /** `"DB_Names"` with {@link S7_NAMES_VARIABLES}. */
  names?: boolean;
  /**
   * Adds the data blocks, and the variables of each, last first: the server then lists them in
   * the other order, as a PLC may after a restart or a program download.
   */
  reversed?: boolean;
}

/**
 * The variables of `"DB_Names"`: two whose names differ only in what `metric_names: normalized`
 * changes, a browse name with S7's quotes and dot, and one in another script. Browse name to value.
 */
export const S7_NAMES_VARIABLES: Readonly<Record<string, number>> = { 'Motor Speed': 11, Motor_Speed: 12, '"Valve"."Open"': 13, 温度: 14 };

/**
 * Adds to a test server what an S7-1500 shows below Objects: `PLC_1/DataBlocksGlobal` with
 * `"DB_Line"` ({@link S7_LINE_VARIABLES}, values 1, 2, ...), `"DB_Big"` holding
 * `stations` objects of `perStation` Double variables each (`"DB_Big"."Station3"."Val7"`), and
 * `blocks` data blocks of `perBlock` variables each. Returns the namespace index.
 */
export function addS7DataBlocks(server: OpcuaTestServer, big: S7Blocks = { stations: 0, perStation: 0 }): number {
  const addressSpace = server.server.engine.addressSpace!;
  const ns = addressSpace.registerNamespace(S7_NAMESPACE);
  const plc = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'PLC_1', nodeId: 's=PLC_1' });
  const blocks = ns.addObject({ componentOf: plc, browseName: 'DataBlocksGlobal', nodeId: 's=DataBlocksGlobal' });
  const variable = (parent: UAObject, name: string, id: string, value: number): void => {
    ns.addVariable({ componentOf: parent, browseName: name, nodeId: `s=${id}`, dataType: 'Double', accessLevel: 'CurrentRead', userAccessLevel: 'CurrentRead', value: { dataType: 11, value } as never });
  };
  const line = ns.addObject({ componentOf: blocks, browseName: 'DB_Line', nodeId: 's="DB_Line"' });
  Object.entries(S7_LINE_VARIABLES).forEach(([name, id], i) => variable(line, name, id, i + 1));
  if (big.stations > 0) {
    const db = ns.addObject({ componentOf: blocks, browseName: 'DB_Big', nodeId: 's="DB_Big"' });
    for (let s = 0; s < big.stations; s++) {
      const station = ns.addObject({ componentOf: db, browseName: `Station${s}`, nodeId: `s="DB_Big"."Station${s}"` });
      for (let k = 0; k < big.perStation; k++) variable(station, `Val${k}`, `"DB_Big"."Station${s}"."Val${k}"`, k);
    }
  }
  if (big.names) {
    const names = ns.addObject({ componentOf: blocks, browseName: 'DB_Names', nodeId: 's="DB_Names"' });
    Object.entries(S7_NAMES_VARIABLES).forEach(([name, value], i) => variable(names, name, `"DB_Names".v${i}`, value));
  }
  const inOrder = (n: number): number[] => {
    const all = Array.from({ length: n }, (_, i) => i);
    return big.reversed ? all.reverse() : all;
  };
  for (const b of inOrder(big.blocks ?? 0)) {
    const block = ns.addObject({ componentOf: blocks, browseName: `DB_Block${b}`, nodeId: `s="DB_Block${b}"` });
    for (const k of inOrder(big.perBlock ?? 0)) variable(block, `Val${k}`, `"DB_Block${b}"."Val${k}"`, k);
  }
  return ns.index;
}

/** Sets S7 variable `id` (`"DB_Block2"."Val7"`) of a server {@link addS7DataBlocks} filled, as the PLC would. */
export function setS7Value(server: OpcuaTestServer, id: string, value: number): void {
  const addressSpace = server.server.engine.addressSpace!;
  const ns = addressSpace.getNamespaceIndex(S7_NAMESPACE);
  const node = addressSpace.findNode(`ns=${ns};s=${id}`) as unknown as { setValueFromSource(v: { dataType: number; value: number }): void } | null;
  if (!node) throw new Error(`no variable ${id} on the test server`);
  node.setValueFromSource({ dataType: 11, value });
}

/**
 * A test server laid out as an S7-1500's ({@link addS7DataBlocks} with `blocks`), started before
 * the file's tests with its PKI in a folder of `files`, and stopped with the rest of `files` after
 * them. Returns the server, to read once the tests run.
 */
export function useS7Server(files: Cleanup, blocks: S7Blocks): () => OpcuaTestServer {
  let server: OpcuaTestServer | undefined;
  beforeAll(async () => {
    const started = await startOpcuaServer({ pkiDir: files.dir('server') });
    server = started;
    files.add(() => started.stop());
    addS7DataBlocks(started, blocks);
  });
  afterAll(() => files.run());
  return () => server!;
}
