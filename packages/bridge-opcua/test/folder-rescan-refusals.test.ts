import { describe, expect, it } from 'vitest';
import { rescanFolder } from '../src/_folder-rescan.js';
import type { FolderExpansion } from '../src/_folder-walk.js';
import { folderVariableTarget, type ExpandedFolder, type FolderWalker } from '../src/_targets.js';
import { parseNodeRef } from '../src/node-ref.js';
import type { FolderVariable, NodeResolver, ResolvedNode } from '../src/resolve-nodes.js';

// A busy PLC answers a browse or a read with a status that says "not now", not "gone"
// (BadTooManyOperations, BadResourceUnavailable): a rescan must not take that for deleted
// variables and stop monitoring what still exists. The walk and the resolver are stood in for;
// folder-rescan.test.ts runs rescans against a real server.

const node = (text: string): ResolvedNode => {
  const parsed = parseNodeRef(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return { nodeId: text, ref: parsed.ref, text };
};
const variable = (name: string): FolderVariable => ({ ...node(`ns=2;s=Line.${name}`), browsePath: [name] });

function folderOf(names: string[]): ExpandedFolder {
  const spec = { key: 'line.{path}', nodeId: 'ns=2;s=Line' };
  const location = { kind: 'node' as const, ref: node('ns=2;s=Line').ref, text: 'ns=2;s=Line' };
  const folder: ExpandedFolder = { spec, location, node: node('ns=2;s=Line'), targets: [] };
  folder.targets = names.map((n) => folderVariableTarget(folder, variable(n), 1000));
  return folder;
}

const resolver = (answer: Awaited<ReturnType<NodeResolver['resolve']>>): NodeResolver => ({ resolve: async () => answer });
const walker =
  (names: string[], more: Partial<FolderExpansion> = {}): FolderWalker =>
  async () => ({ variables: names.map(variable), cuts: [], unbrowsed: [], deep: [], deepUnprobed: 0, refusedBelow: 0, ...more });

describe('a folder browsed again while the server is busy', () => {
  it('keeps the variables below a node the server refused to browse, and still adds the new ones', async () => {
    const folder = folderOf(['Temp', 'Station1.Speed']);
    const change = await rescanFolder(folder, resolver({ ok: true, node: folder.node }), walker(['Temp', 'Level'], { refusedBelow: 1 }), 1000);
    expect(change).toMatchObject({ removed: [] });
    expect('added' in change && change.added.map((t) => t.browsePath)).toEqual([['Level']]);
    expect(folder.targets.map((t) => t.browsePath)).toEqual([['Temp'], ['Level'], ['Station1.Speed']]);
  });

  it('takes out a variable not found when the whole folder was browsed', async () => {
    const folder = folderOf(['Temp', 'Level']);
    const change = await rescanFolder(folder, resolver({ ok: true, node: folder.node }), walker(['Temp']), 1000);
    expect('removed' in change && change.removed.map((t) => t.browsePath)).toEqual([['Level']]);
  });

  it('rejects, changing nothing, when the folder itself could not be browsed or read; a folder that does not exist is gone', async () => {
    const folder = folderOf(['Temp']);
    await expect(rescanFolder(folder, resolver({ ok: true, node: folder.node }), walker([], { refused: 'BadTooManyOperations' }), 1000)).rejects.toThrow(/refused to browse it \(BadTooManyOperations\)/);
    await expect(rescanFolder(folder, resolver({ ok: false, message: 'node ns=2;s=Line: the server refused to read it (BadResourceUnavailable)' }), walker(['Temp']), 1000)).rejects.toThrow(/BadResourceUnavailable/);
    expect(folder.targets.map((t) => t.browsePath)).toEqual([['Temp']]);
    expect(await rescanFolder(folder, resolver({ ok: false, gone: true, message: 'node ns=2;s=Line does not exist on the server (BadNodeIdUnknown)' }), walker(['Temp']), 1000)).toEqual({ gone: 'node ns=2;s=Line does not exist on the server (BadNodeIdUnknown)' });
  });
});
