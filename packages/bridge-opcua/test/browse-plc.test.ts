import { runBridgeCommand, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { opcuaBridge } from '../src/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { S7_LINE_VARIABLES, S7_NAMESPACE, useS7Server } from './helpers/plc-nodes.js';

// `bridge-opcua --browse` against a node-opcua server laid out as an S7-1500's: node ids with
// quotes, dots, spaces, umlauts, `#` and `: ` in them, and a data block of 3000 variables.
const files = createCleanup();
const track = trackCleanups();
const STATIONS = 40;
const PER_STATION = 75;
const server = useS7Server(files, { stations: STATIONS, perStation: PER_STATION });

const bare = () => `source_id: s7\nsink: { url: stdout }\nopcua:\n  endpoint: ${server().endpointUrl}\n  connect_timeout_ms: 5s\n  publishing_interval_ms: 50ms\n`;

async function cli(args: string[], text = bare()): Promise<{ code: number; out: string; err: string }> {
  const file = await writeTempFile(track, 'map.yaml', text);
  return runBridgeCommand(opcuaBridge, ['--config', file, ...args]);
}

describe('--emit-mapping with S7 node ids', () => {
  it('prints each node id as UaExpert shows it, quoted for YAML only where YAML needs it, and the pasted entries read every variable', async () => {
    const browsed = await cli(['--browse', 'PLC_1/DataBlocksGlobal/DB_Line', '--emit-mapping']);
    expect(browsed.code, browsed.err).toBe(0);
    // Before: "nsu=...;s=\"DB_Line\".\"Temp\"", escapes that are not what the engineer sees in UaExpert or TIA Portal.
    expect(browsed.out).toContain(`    node_id: nsu=${S7_NAMESPACE};s="DB_Line"."Temp"\n`);
    expect(browsed.out).toContain(`    node_id: nsu=${S7_NAMESPACE};s="DB_Line"."Motor Speed"\n`);
    expect(browsed.out).toContain(`    node_id: nsu=${S7_NAMESPACE};s="DB_Line"."Öltemperatur"\n`);
    // A plain scalar would end at " #" (a comment) or read ": " as a key: these are quoted.
    expect(browsed.out).toContain(`    node_id: 'nsu=${S7_NAMESPACE};s="DB_Line"."Temp #1"'\n`);
    expect(browsed.out).toContain(`    node_id: 'nsu=${S7_NAMESPACE};s="DB_Line"."Mode: auto"'\n`);
    const nodes = (parse(browsed.out) as { nodes: { metric: string; node_id: string }[] }).nodes;
    expect(nodes.map((n) => n.node_id)).toEqual(Object.values(S7_LINE_VARIABLES).map((id) => `nsu=${S7_NAMESPACE};s=${id}`));
    // Named from the block browsed down: another block browsed apart gives no name twice.
    expect(nodes.map((n) => n.metric)).toEqual(['db_line.temp', 'db_line.motor_speed', 'db_line.oltemperatur', 'db_line.temp_1', 'db_line.mode_auto', 'db_line.stations_0']);

    // Pasted under opcua: as printed, the file runs and each variable sends its value (1, 2, ...).
    const run = await cli(['--dry-run', '--once', '--once-timeout', '20s'], bare() + browsed.out.replace(/^(?=.)/gm, '  '));
    expect(run.code, run.err).toBe(0);
    const points = run.out.trim().split('\n').map((line) => JSON.parse(line) as { metric: string; value: number });
    expect(Object.fromEntries(points.map((p) => [p.metric, p.value]))).toEqual({ 'db_line.temp': 1, 'db_line.motor_speed': 2, 'db_line.oltemperatur': 3, 'db_line.temp_1': 4, 'db_line.mode_auto': 5, 'db_line.stations_0': 6 });
  });
});

describe('node ids pasted the way engineers slip', () => {
  it('an unquoted S7 id that YAML cut at " #" is refused at load, saying to quote it; quoted, it reads the variable', async () => {
    const cut = await cli(['--check'], `${bare()}  nodes:\n    - metric: temp1\n      node_id: nsu=${S7_NAMESPACE};s="DB_Line"."Temp #1"\n`);
    // Before: accepted as s="DB_Line"."Temp, refused by the server only after a connect (BadNodeIdUnknown).
    expect(cut.code).toBe(2);
    expect(cut.err).toContain(`map.yaml:9:16 "...`);
    expect(cut.err).toContain(`;s="DB_Line"."Temp" and a comment (a # after a space starts one): if #1" belongs to the value, put it in quotes: node_id: 'nsu=${S7_NAMESPACE};s="DB_Line"."Temp #1"'`);
    const quoted = await cli(['--dry-run', '--once', '--once-timeout', '20s'], `${bare()}  nodes:\n    - metric: temp1\n      node_id: 'nsu=${S7_NAMESPACE};s="DB_Line"."Temp #1"'\n`);
    expect(quoted.code, quoted.err).toBe(0);
    expect(JSON.parse(quoted.out.trim())).toMatchObject({ metric: 'temp1', value: 4 });
  });

  it("UaExpert's display form (NS3|String|...) is refused with the text form to write, which browses", async () => {
    const index = server().server.engine.addressSpace!.getNamespaceIndex(S7_NAMESPACE);
    const shown = await cli(['--browse', `NS${index}|String|"DB_Line"`]);
    expect(shown.code).toBe(2);
    const written = /write it as (.+)\n$/.exec(shown.err)?.[1];
    expect(written).toBe(`ns=${index};s="DB_Line"`);
    const browsed = await cli(['--browse', written!, '--depth', '1']);
    expect(browsed.code, browsed.err).toBe(0);
    expect(browsed.out).toContain(`  Temp  [Variable, Double, read]  nsu=${S7_NAMESPACE};s="DB_Line"."Temp"  = 1\n`);
  });
});

describe('--browse of a data block with thousands of variables', () => {
  it('stops at 500 nodes by default, says so in the listing and in the emitted mapping with the --limit that lists more, and --limit lists them all', async () => {
    const text = await cli(['--browse', 'PLC_1', '--depth', '4']);
    expect(text.code, text.err).toBe(0);
    // Breadth first: DataBlocksGlobal, both blocks, DB_Line's variables and the 40 stations, then
    // the 451 nodes left shared between the stations (12 or 11 each of 75), each saying what it left out.
    const values = text.out.split('\n').filter((l) => /^ {8}Val\d+ /.test(l));
    expect(values).toHaveLength(500 - 3 - Object.keys(S7_LINE_VARIABLES).length - STATIONS);
    expect(text.out.match(/^ {8}\.\.\. 6[34] more not listed \(1[12] of 75 shown\): --browse '.*"Station\d+"' lists this one alone$/gm)).toHaveLength(STATIONS);
    expect(text.out).toContain('\n... stopped at 500 nodes (--limit 500): each level is listed before the next, shared evenly between its nodes; the 40 nodes cut short say below their last child what was left out and how to list it; --limit 5000 lists more (at most 10000)\n');

    // Before: the mapping of the first 500 nodes, with nothing saying that more were left out.
    const cut = await cli(['--browse', 'PLC_1', '--depth', '4', '--emit-mapping']);
    expect(cut.code, cut.err).toBe(0);
    expect(cut.out).toContain('\n# stopped at 500 nodes (--limit 500): each level is listed before the next');
    expect(parse(cut.out).nodes).toHaveLength(values.length + Object.keys(S7_LINE_VARIABLES).length);

    const all = await cli(['--browse', 'PLC_1/DataBlocksGlobal/DB_Big', '--depth', '2', '--limit', '5000', '--emit-mapping']);
    expect(all.code, all.err).toBe(0);
    const nodes = (parse(all.out) as { nodes: { metric: string; node_id: string }[] }).nodes;
    expect(nodes).toHaveLength(STATIONS * PER_STATION);
    expect(nodes.at(-1)).toEqual({ metric: `db_big.station${STATIONS - 1}.val${PER_STATION - 1}`, node_id: `nsu=${S7_NAMESPACE};s="DB_Big"."Station${STATIONS - 1}"."Val${PER_STATION - 1}"` });
    expect(all.out).not.toContain('stopped at');
  });

  it('refuses a --limit out of range, or without --browse, saying what to give', async () => {
    for (const value of ['0', '10001', 'many']) {
      const wrong = await cli(['--browse', 'PLC_1', '--limit', value]);
      expect(wrong.code).toBe(2);
      expect(wrong.err).toBe(`--limit ${value}: give a whole number from 1 to 10000\n`);
    }
    const stray = await cli(['--check', '--limit', '100'], `${bare()}  nodes: [{ metric: a, node_id: 'ns=3;s="DB_Line"."Temp"' }]\n`);
    expect(stray.code).toBe(2);
    expect(stray.err).toMatch(/--limit go with --browse/);
  });
});
