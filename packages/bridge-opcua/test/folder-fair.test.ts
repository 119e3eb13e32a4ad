import { trackCleanups } from '@fieldbridge/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpcuaServer, type OpcuaTestServer } from '../src/server.js';
import type { OpcuaSource } from '../src/source.js';
import { pointWhere, runSource } from './helpers/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { addS7DataBlocks, S7_LINE_VARIABLES, S7_NAMESPACE, setS7Value } from './helpers/plc-nodes.js';
import { restartOn } from './helpers/servers.js';

// A folders[] entry over a PLC's data blocks, several of hundreds of variables each, with a
// max_items that cuts them in the middle: the walk is the one --browse makes (breadth first, the
// cut shared evenly), so every block is monitored in part, and the same part at every start.
const files = createCleanup();
const track = trackCleanups();
const BLOCKS = 6;
const PER_BLOCK = 300;
const MAX_ITEMS = 600;
const LINE = Object.keys(S7_LINE_VARIABLES).length;
// DB_Line's 6 variables whole, the 594 left shared by the 6 blocks: 99 each, 201 left out of each.
const SHARE = (MAX_ITEMS - LINE) / BLOCKS;
let server: OpcuaTestServer;
let serverPki: string;

beforeAll(async () => {
  serverPki = files.dir('server');
  server = await startOpcuaServer({ pkiDir: serverPki });
  files.add(() => server.stop());
  addS7DataBlocks(server, { stations: 0, perStation: 0, blocks: BLOCKS, perBlock: PER_BLOCK });
});
afterAll(() => files.run());

const section = (): Record<string, unknown> => ({
  endpoint: server.endpointUrl,
  folders: [{ metric: 'plc.{path}', browse_path: 'PLC_1/DataBlocksGlobal', max_items: MAX_ITEMS }],
});
const block = (b: number): string => `nsu=${S7_NAMESPACE};s="DB_Block${b}"`;
const taken = (source: OpcuaSource): (string | undefined)[] => source.items().map((i) => i.nodeId);

describe('a folders[] entry cut by max_items over several big data blocks', () => {
  it('monitors part of every block, values flow from each, the message names each cut block, and a reconnect and a restart take the same variables', async () => {
    const first = await runSource(track, section());
    const { t, source } = first;
    await t.waitFor(() => t.ready(), 'subscribed');
    const items = source.items();
    expect(items).toHaveLength(MAX_ITEMS);
    expect(items.filter((i) => i.state !== 'active')).toEqual([]);
    // Before: depth first, DB_Block0 and DB_Block1 whole and a part of DB_Block2; the 3 others not at all.
    for (let b = 0; b < BLOCKS; b++) {
      const names = items.filter((i) => i.browsePath?.[0] === `DB_Block${b}`).map((i) => i.browsePath![1]);
      expect(names, `DB_Block${b}`).toEqual(Array.from({ length: SHARE }, (_, k) => `Val${k}`));
    }
    expect(items.filter((i) => i.browsePath?.[0] === 'DB_Line')).toHaveLength(LINE);

    for (let b = 0; b < BLOCKS; b++) {
      setS7Value(server, `"DB_Block${b}"."Val${SHARE - 1}"`, 1000 + b);
      await pointWhere(t, (p) => p.metric === `plc.DB_Block${b}.Val${SHARE - 1}` && p.value === 1000 + b, `a value of DB_Block${b}`);
    }

    const cuts = t.problems.filter((p) => p.key.endsWith('folder_truncated'));
    expect(cuts).toHaveLength(1);
    const message = cuts[0]!.message!;
    expect(message).toMatch(/^folder plc\.\{path\} \(PLC_1\/DataBlocksGlobal\): max_items 600 took 600 of 1806 variables, shared evenly between its sub-folders; left out /);
    for (let b = 0; b < BLOCKS; b++) expect(message).toContain(`${PER_BLOCK - SHARE} of ${PER_BLOCK} in DB_Block${b} (node_id: '${block(b)}')`);
    expect(message).not.toContain('DB_Line');
    expect(message).toMatch(/\. To take them, raise max_items to 1806, or add a folders\[\] entry for a sub-folder/);

    // The PLC restarts and lists its blocks and their variables in the other order: the bridge
    // reconnects with the same items, and a restart of the bridge takes the same variables.
    const before = taken(source);
    const { port } = server;
    await server.stop();
    server = await restartOn(port, { pkiDir: serverPki });
    files.add(() => server.stop());
    addS7DataBlocks(server, { stations: 0, perStation: 0, blocks: BLOCKS, perBlock: PER_BLOCK, reversed: true });
    setS7Value(server, `"DB_Block${BLOCKS - 1}"."Val0"`, 2000);
    await pointWhere(t, (p) => p.metric === `plc.DB_Block${BLOCKS - 1}.Val0` && p.value === 2000, 'a value after the PLC restarted');
    expect(taken(source)).toEqual(before);
    await source.stop();

    const second = await runSource(track, section());
    await second.t.waitFor(() => second.t.ready(), 'subscribed again');
    expect(taken(second.source)).toEqual(before);
    expect(second.source.items().filter((i) => i.state !== 'active')).toEqual([]);
  });
});
