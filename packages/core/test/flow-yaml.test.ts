import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { flowYaml } from '../src/bridge/flow-yaml.js';

describe('flowYaml', () => {
  it('writes one line that reads back as the value, quoting only what a plain scalar would misread', () => {
    const entry = { fields: [{ field: 'roll', to: 'deg', as: 'true' }, 'pitch'], metric: 'drone-{sysid}.{field}', on_change: true, scale: 0.5, id: '007', note: 'null' };
    const text = flowYaml(entry);
    expect(text).toBe('{ fields: [ { field: roll, to: deg, as: "true" }, pitch ], metric: "drone-{sysid}.{field}", on_change: true, scale: 0.5, id: "007", note: "null" }');
    expect(text).not.toContain('\n');
    expect(parse(`x: ${text}`)).toEqual({ x: entry });
  });

  it('writes a plain word, a number and a long list on one line', () => {
    expect(flowYaml('default')).toBe('default');
    expect(flowYaml(2.5)).toBe('2.5');
    const many = Array.from({ length: 60 }, (_, i) => `field_${i}`);
    expect(flowYaml(many).split('\n')).toHaveLength(1);
  });

  it('keeps a string with line feeds or tabs on the line, escaped, and quotes YAML 1.1 booleans', () => {
    const hostile = { long: `${'x'.repeat(45)}\nline two\ttab`, short: ['a\nb'], words: ['on', 'No', 'y', 'OFF', 'online'] };
    const text = flowYaml(hostile);
    expect(text).toBe(`{ long: "${'x'.repeat(45)}\\nline two\\ttab", short: [ "a\\nb" ], words: [ "on", "No", "y", "OFF", online ] }`);
    expect(parse(`x: ${text}`)).toEqual({ x: hostile });
    // A string alone is one scalar for a block mapping line.
    expect(flowYaml(`${'y'.repeat(50)}\nz`)).toBe(`"${'y'.repeat(50)}\\nz"`);
    expect(flowYaml('plant/+/temp')).toBe('plant/+/temp');
    expect(parse(`topic: ${flowYaml('a: b')}`)).toEqual({ topic: 'a: b' });
  });
});
