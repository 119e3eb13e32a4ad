import { describe, expect, it } from 'vitest';
import { folderDepthText } from '../src/_folder-depth-text.js';

const deep = (name: string, variables: number, objects: number, atLeast = false) => ({ path: ['Line1', name], nodeId: `nsu=urn:x;s=${name}`, variables, objects, atLeast });

describe('folderDepthText', () => {
  it('says nothing when the limit left nothing below it', () => {
    expect(folderDepthText('f', 'Plant', 2, { deep: [], deepUnprobed: 0 })).toBeUndefined();
  });

  it('asks for two levels more when only objects are below the last ones, and a folders[] entry alone past 16', () => {
    expect(folderDepthText('f', 'Plant', 2, { deep: [deep('Cell', 0, 3)], deepUnprobed: 0 })).toBe(
      "folder f (Plant): max_depth 2 stopped at objects with more below them: Line1/Cell (node_id: 'nsu=urn:x;s=Cell'; 3 objects below it) not looked into. To take what is below them, raise max_depth to 4 (more for what lies below their objects), or add a folders[] entry for one of them (its node_id as above, with a metric template of its own)",
    );
    expect(folderDepthText('f', 'Plant', 16, { deep: [deep('Motor', 5, 0)], deepUnprobed: 0 })).toMatch(
      /5 variables below it\) not looked into\. To take what is below them, add a folders\[\] entry for one of them \(its node_id as above, with a metric template of its own\): max_depth takes at most 16$/,
    );
  });

  it('says "more than" for an object with more children than a probe counts, and counts the objects not probed', () => {
    const text = folderDepthText('f', 'Plant', 3, { deep: [deep('Big', 900, 100, true)], deepUnprobed: 2 });
    expect(text).toContain("Line1/Big (node_id: 'nsu=urn:x;s=Big'; more than 1000 variables and objects below it) not looked into; 2 more objects at depth 3 not looked into nor probed for what is below them (only the first 1000 are)");
    expect(text).toContain('raise max_depth to 4 (more for what lies below their objects)');
  });
});
