import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError, defineBridge, parseMapping, type BridgeDefinition } from '../src/index.js';
import { counterBridge } from './fixtures/counter-bridge.js';

/** A bridge whose devices' points carry the device's tags, plus `device` and, with a unit, `unit`: what it says through `pointTags`. */
const meter = defineBridge({
  name: 'meter',
  version: '0.0.0-test',
  configSchema: z.strictObject({ devices: z.array(z.strictObject({ name: z.string(), unit: z.string().optional(), tags: z.record(z.string(), z.string()).optional() })) }),
  describe: () => [],
  create: () => ({ start: async () => undefined, stop: async () => undefined }),
  pointTags: (c) => c.devices.map((d, i) => ({ path: d.tags ? ['devices', i, 'tags'] : ['devices', i], tags: Object.keys(d.tags ?? {}), added: d.unit === undefined ? ['device'] : ['device', 'unit'] })),
});

/** `{ f0: v, f1: v, ... }` with `n` tags, from `prefix`. */
const tags = (n: number, prefix = 'f') => `{ ${Array.from({ length: n }, (_, i) => `${prefix}${i}: v`).join(', ')} }`;

function refusal(text: string, sections: readonly BridgeDefinition[] = [meter]): ConfigError {
  try {
    parseMapping(text, 'map.yaml', sections, {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('the tags a bridge says its points carry, with the file\'s: at most 16 on every point', () => {
  it('refuses file tags that leave no room for what the bridge adds, at the file\'s tags, naming the points', () => {
    const err = refusal(`source_id: s\ntags: ${tags(15)}\nmeter:\n  devices:\n    - { name: a }\n    - { name: b, unit: m }\n`);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ line: 2, col: 7, path: 'tags' });
    expect(err.issues[0]!.message).toBe(
      "the points of meter.devices[1] would carry 17 tags, more than the 16 a point may have: the file's 15 (tags:), device and unit (added by the meter bridge), so the sink would refuse every one of them (dead-lettered, never sent). Remove 1 here",
    );
    // 15 and device make 16: a device without a unit is fine.
    expect(() => parseMapping(`source_id: s\ntags: ${tags(15)}\nmeter:\n  devices:\n    - { name: a }\n`, 'map.yaml', [meter], {})).not.toThrow();
  });

  it('refuses an entry whose own tags, with the file\'s and the bridge\'s, make more than 16, at the entry\'s tags', () => {
    const err = refusal(`source_id: s\ntags: ${tags(10)}\nmeter:\n  devices:\n    - { name: a, unit: m, tags: ${tags(5, 'd')} }\n`);
    expect(err.issues.map((i) => [i.line, i.col, i.path])).toEqual([[5, 33, 'meter.devices[0].tags']]);
    expect(err.issues[0]!.message).toBe(
      "its points would carry 17 tags, more than the 16 a point may have: the file's 10 (tags:), 5 given here, device and unit (added by the meter bridge), so the sink would refuse every one of them (dead-lettered, never sent). Remove 1 here or from the file's tags:",
    );
  });

  it('counts a key the entry shares with the file (or the bridge) once', () => {
    expect(() => parseMapping(`source_id: s\ntags: ${tags(10)}\nmeter:\n  devices:\n    - { name: a, unit: m, tags: { f0: w, f1: w, d0: v, d1: v, unit: x, device: y } }\n`, 'map.yaml', [meter], {})).not.toThrow();
  });

  it('in a file of several sections, counts the bridge and channel tags the runtime adds', () => {
    const text = (n: number) => `source_id: s\ntags: ${tags(n)}\nmeter:\n  devices:\n    - { name: a, unit: m }\ncounter:\n  channels: [{ name: c, metric: m }]\n`;
    expect(() => parseMapping(text(12), 'map.yaml', [meter, counterBridge], {})).not.toThrow();
    const err = refusal(text(13), [meter, counterBridge]);
    expect(err.issues.map((i) => i.path)).toEqual(['tags']);
    expect(err.issues[0]!.message).toMatch(/^the points of meter\.devices\[0\] would carry 17 tags, more than the 16 a point may have: the file's 13 \(tags:\), bridge and channel \(added in a file of several sections\), device and unit \(added by the meter bridge\)/);
    // The same file of one section: no bridge or channel tag.
    expect(() => parseMapping(text(13).replace(/counter:[^]*$/, ''), 'map.yaml', [meter, counterBridge], {})).not.toThrow();
  });

  it('a look at the source (inspecting) sends nothing, so the count does not stop it', () => {
    const text = `source_id: s\ntags: ${tags(16)}\nmeter:\n  devices:\n    - { name: a }\n`;
    expect(() => parseMapping(text, 'map.yaml', [meter], {})).toThrow(ConfigError);
    expect(() => parseMapping(text, 'map.yaml', [meter], {}, { inspecting: true })).not.toThrow();
  });
});
