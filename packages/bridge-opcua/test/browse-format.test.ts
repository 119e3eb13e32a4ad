import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BrowseResult } from '../src/browse.js';
import { formatBrowseMapping, formatBrowseText, metricNameFromPath } from '../src/browse-format.js';

const result: BrowseResult = {
  start: 'i=85',
  namespaces: ['http://opcfoundation.org/UA/', 'urn:plant'],
  truncated: true,
  maxNodes: 5,
  depth: 3,
  unfollowed: 0,
  notLookedInto: 0,
  entries: [
    { nodeId: 'nsu=urn:plant;s=Boiler', browseName: 'Boiler', browseNamespace: 'urn:plant', displayName: 'Boiler', nodeClass: 'Object', path: ['Boiler'], depth: 1, cut: { listed: 4, notListed: 596, atLeast: false } },
    {
      nodeId: 'nsu=urn:plant;s=Boiler.Temperature',
      browseName: 'Temperature',
      displayName: 'Temperature',
      nodeClass: 'Variable',
      path: ['Boiler', 'Temperature'],
      depth: 2,
      dataType: 'Double',
      access: ['read', 'write'],
      value: 21.5,
    },
    { nodeId: 'nsu=urn:plant;s=Boiler.Secret', browseName: 'Secret', displayName: 'Secret', nodeClass: 'Variable', path: ['Boiler', 'Secret'], depth: 2, dataType: 'String', access: ['write'] },
    { nodeId: 'nsu=urn:plant;s=Boiler.Status', browseName: 'Status', displayName: 'Status', nodeClass: 'Variable', path: ['Boiler', 'Status'], depth: 2, dataType: 'Int32', access: ['read'], valueProblem: 'BadSensorFailure' },
    // Same metric name as Temperature once cleaned, and text with a line break and quotes.
    { nodeId: 'nsu=urn:plant;s="odd"\nname', browseName: 'temperature', displayName: 't', nodeClass: 'Variable', path: ['boiler', 'TEMPERATURE'], depth: 2, dataType: 'Double\n#x', access: ['read'] },
  ],
};

describe('formatBrowseText', () => {
  it('lists one node per line, indented, with namespaces first', () => {
    const text = formatBrowseText(result);
    expect(text).toContain('Namespaces:\n  0  http://opcfoundation.org/UA/\n  1  urn:plant\n');
    expect(text).toContain('  Boiler  [Object]  nsu=urn:plant;s=Boiler\n');
    expect(text).toContain('    Temperature  [Variable, Double, read+write]  nsu=urn:plant;s=Boiler.Temperature  = 21.5\n');
    expect(text).toContain('    Status  [Variable, Int32, read]  nsu=urn:plant;s=Boiler.Status  (BadSensorFailure)\n');
    // Below the last child of the node cut short, one level deeper than the node.
    expect(text).toMatch(/odd.*\n    \.\.\. 596 more not listed \(4 of 600 shown\): --browse 'nsu=urn:plant;s=Boiler' --limit 600 lists this one alone\n/);
    expect(text).toContain(
      'stopped at 5 nodes (--limit 5): each level is listed before the next, shared evenly between its nodes; the 1 node cut short says below its last child what was left out and how to list it; --limit 50 lists more (at most 10000)',
    );
    expect(formatBrowseText({ ...result, maxNodes: 10_000 })).toContain('(--limit 10000): each level is listed before the next, shared evenly between its nodes; the 1 node cut short says below its last child what was left out and how to list it; at most 10000 are listed');
    expect(text.split('\n').filter((l) => l.includes('odd'))).toHaveLength(1);
  });
});

describe('formatBrowseMapping', () => {
  it('gives nodes[] entries that parse as YAML, readable variables only, unique metric names', () => {
    const yaml = formatBrowseMapping(result, { metricPrefix: 'plant.' });
    const parsed = parse(yaml) as { nodes: { metric: string; node_id: string }[] };
    expect(parsed.nodes).toEqual([
      { metric: 'plant.boiler.temperature', node_id: 'nsu=urn:plant;s=Boiler.Temperature' },
      { metric: 'plant.boiler.status', node_id: 'nsu=urn:plant;s=Boiler.Status' },
      { metric: 'plant.boiler.temperature_2', node_id: 'nsu=urn:plant;s="odd"\nname' },
    ]);
    expect(yaml).toContain('# Double, read+write');
    expect(yaml).toMatch(/node_id: .*odd.*\n  # nsu=urn:plant;s=Boiler: 596 more not listed \(4 of 600 shown\): --browse 'nsu=urn:plant;s=Boiler' --limit 600 --emit-mapping lists this one alone\n/);
  });

  it('writes an empty list when nothing is readable', () => {
    expect(parse(formatBrowseMapping({ ...result, entries: [] }))).toEqual({ nodes: [] });
  });

  it('says when objects at the depth limit were not looked into, and which --depth would list them', () => {
    // Before: --browse Line1 --depth 1 --emit-mapping printed "nodes: []" and nothing about the motors below.
    const motors = [1, 2, 3].map((n) => ({ nodeId: `nsu=urn:plant;s=Line1.Motor${n}`, browseName: `Motor${n}`, displayName: `Motor${n}`, nodeClass: 'Object', path: [`Motor${n}`], depth: 1 }));
    const shallow: BrowseResult = { start: 'nsu=urn:plant;s=Line1', namespaces: result.namespaces, truncated: false, maxNodes: 500, depth: 1, unfollowed: 3, notLookedInto: 0, entries: motors };
    const yaml = formatBrowseMapping(shallow);
    expect(yaml).toContain('# 3 objects at depth 1 not looked into: --depth 2 lists what is below them\n');
    expect(parse(yaml)).toEqual({ nodes: [] });
    expect(formatBrowseText(shallow)).toContain('\n3 objects at depth 1 not looked into: --depth 2 lists what is below them\n');
    expect(formatBrowseText({ ...shallow, depth: 10, unfollowed: 1 })).toContain('1 object at depth 10 not looked into: browse one of them to list what is below it');
  });
});

describe('metricNameFromPath', () => {
  it('lowers, replaces and joins', () => {
    expect(metricNameFromPath(['Line 1', 'Motor#2', 'Speed (rpm)'])).toBe('line_1.motor_2.speed_rpm');
    expect(metricNameFromPath(['Température', 'Über'])).toBe('temperature.uber');
    expect(metricNameFromPath(['***'])).toBe('value');
    expect(metricNameFromPath(['x'.repeat(300)])).toHaveLength(256);
  });
});
