import { runBridgeCommand, trackCleanups, writeTempFile } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { opcuaBridge } from '../src/bridge.js';
import { createCleanup } from './helpers/cleanup.js';
import { S7_LINE_VARIABLES, S7_NAMESPACE, useS7Server } from './helpers/plc-nodes.js';

// `bridge-opcua --browse` with a limit that cuts a PLC of several big data blocks in the middle:
// the walk is breadth first and the cut shared, so every block shows, each saying what it left out.
const files = createCleanup();
const track = trackCleanups();
const BLOCKS = 6;
const PER_BLOCK = 300;
const server = useS7Server(files, { stations: 0, perStation: 0, blocks: BLOCKS, perBlock: PER_BLOCK });

const bare = () => `source_id: s7\nsink: { url: stdout }\nopcua:\n  endpoint: ${server().endpointUrl}\n  connect_timeout_ms: 5s\n`;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = await writeTempFile(track, 'map.yaml', bare());
  return runBridgeCommand(opcuaBridge, ['--config', file, ...args]);
}

/** The words of a command printed in a note (`--browse 'nsu=...' --limit 300`), read as a POSIX shell would. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const block = (b: number) => `nsu=${S7_NAMESPACE};s="DB_Block${b}"`;

describe('--browse cut by --limit on a PLC of several big data blocks', () => {
  it('lists every block, shares the limit between them, and says under each what was left out and the command that lists it alone', async () => {
    const text = await cli(['--browse', 'PLC_1/DataBlocksGlobal', '--limit', '200']);
    expect(text.code, text.err).toBe(0);
    const lines = text.out.split('\n');
    // Before: depth first, DB_Line and DB_Block0 listed, the 5 other blocks not at all.
    for (let b = 0; b < BLOCKS; b++) expect(lines).toContain(`  DB_Block${b}  [Object]  ${block(b)}`);
    // 7 blocks, DB_Line's 6 variables in full, and 187 nodes shared by the 6 big blocks: 32 or 31 each.
    const listed = (b: number) => lines.filter((l) => l.includes(`${block(b)}."Val`)).length;
    const shares = Array.from({ length: BLOCKS }, (_, b) => listed(b));
    expect(shares).toEqual([32, 31, 31, 31, 31, 31]);
    expect(lines.filter((l) => l.includes('"DB_Line".')).length).toBe(Object.keys(S7_LINE_VARIABLES).length);
    for (let b = 0; b < BLOCKS; b++) {
      const at = lines.indexOf(`  DB_Block${b}  [Object]  ${block(b)}`);
      // The note comes right after the block's last variable listed.
      expect(lines[at + shares[b]! + 1]).toBe(`    ... ${PER_BLOCK - shares[b]!} more not listed (${shares[b]} of ${PER_BLOCK} shown): --browse '${block(b)}' lists this one alone`);
    }
    expect(text.out).toContain('the 6 nodes cut short say below their last child what was left out and how to list it');
  });

  it('emits the same variables as the listing, a comment under each block cut short, and its command lists the whole block', async () => {
    const emitted = await cli(['--browse', 'PLC_1/DataBlocksGlobal', '--limit', '200', '--emit-mapping']);
    expect(emitted.code, emitted.err).toBe(0);
    const nodes = (parse(emitted.out) as { nodes: { metric: string; node_id: string }[] }).nodes;
    expect(nodes).toHaveLength(200 - 1 - BLOCKS);
    for (let b = 0; b < BLOCKS; b++) expect(nodes.some((n) => n.node_id === `${block(b)}."Val30"`)).toBe(true);
    const notes = [...emitted.out.matchAll(/^ {2}# .*: (\d+) more not listed \((\d+) of 300 shown\): (--browse .*) lists this one alone$/gm)];
    expect(notes).toHaveLength(BLOCKS);
    expect(notes.map((n) => Number(n[1]) + Number(n[2]))).toEqual(Array(BLOCKS).fill(PER_BLOCK));

    // The command a note gives, pasted, lists that block whole.
    expect(notes[3]![3]).toBe(`--browse '${block(3)}' --emit-mapping`);
    const alone = await cli(words(notes[3]![3]!));
    expect(alone.code, alone.err).toBe(0);
    const whole = (parse(alone.out) as { nodes: { node_id: string }[] }).nodes;
    expect(whole.map((n) => n.node_id)).toEqual(Array.from({ length: PER_BLOCK }, (_, k) => `${block(3)}."Val${k}"`));
    expect(alone.out).not.toContain('not listed');
  });
});
