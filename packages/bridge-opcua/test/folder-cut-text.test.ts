import { describe, expect, it } from 'vitest';
import { folderCutText } from '../src/_folder-cut-text.js';
import type { FolderExpansion } from '../src/_folder-walk.js';

const variables = (n: number): FolderExpansion['variables'] =>
  Array.from({ length: n }, (_, k) => ({ nodeId: `ns=2;i=${k}`, text: `nsu=urn:x;i=${k}`, ref: { namespace: { index: 2 }, identifier: { kind: 'i', value: k } }, browsePath: [`V${k}`] }));

describe('folderCutText', () => {
  it('says nothing when nothing was left out', () => {
    expect(folderCutText('f', 'Line1', 10, { variables: variables(4), cuts: [], unbrowsed: [] })).toBeUndefined();
  });

  it('names what the folder left directly in it, and that only max_items takes it', () => {
    const text = folderCutText('f', 'Line1', 10, { variables: variables(10), cuts: [{ path: [], nodeId: 'nsu=urn:x;s=Line1', taken: 10, left: 5, atLeast: false, objectsLeft: 0 }], unbrowsed: [] });
    expect(text).toBe('folder f (Line1): max_items 10 took 10 of 15 variables; left out 5 of 15 directly in the folder. To take them, raise max_items to 15');
  });

  it('says "at least" when sub-folders were not looked into, and names them with their node ids quoted for the mapping', () => {
    const text = folderCutText('f', 'Line1', 10, {
      variables: variables(10),
      cuts: [{ path: [], nodeId: 'nsu=urn:x;s=Line1', taken: 10, left: 2, atLeast: false, objectsLeft: 0 }],
      unbrowsed: [{ path: ["Operator's"], nodeId: "nsu=urn:x;s=Operator's" }],
    });
    expect(text).toBe(
      "folder f (Line1): max_items 10 took 10 of at least 12 variables, shared evenly between its sub-folders; left out 2 of 12 directly in the folder; 1 sub-folder not looked into (max_items ran out before their level): Operator's (node_id: 'nsu=urn:x;s=Operator''s'). To take them, raise max_items to at least 12, or add a folders[] entry for a sub-folder (its node_id as above, with a metric template of its own)",
    );
  });

  it('past what max_items can take, offers only the sub-folders, and names at most 10 of them', () => {
    const cuts = Array.from({ length: 12 }, (_, b) => ({ path: [`B${b}`], nodeId: `nsu=urn:x;s=B${b}`, taken: 4000, left: 6000, atLeast: false, objectsLeft: 0 }));
    const text = folderCutText('f', 'Line1', 48_000, { variables: variables(48_000), cuts, unbrowsed: [] })!;
    expect(text).toContain('6000 of 10000 in B9 (node_id: \'nsu=urn:x;s=B9\') and 2 more sub-folders. To take them, add a folders[] entry for a sub-folder');
    expect(text).not.toContain('B10');
    expect(text).not.toContain('raise max_items');
  });
});
