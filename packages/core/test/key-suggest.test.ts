import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestKey, editDistance, keysAt } from '../src/config/key-suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('poll_ms', 'poll_ms')).toBe(0);
    expect(editDistance('pol_ms', 'poll_ms')).toBe(1);
    expect(editDistance('adress', 'address')).toBe(1);
    expect(editDistance('tabel', 'table')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestKey', () => {
  const known = ['unit_id', 'poll_ms', 'timeout_ms', 'retries', 'byte_order', 'tags', 'points'];
  it('finds a misspelling, a camelCase and a kebab-case spelling', () => {
    expect(closestKey('unitId', known)).toBe('unit_id');
    expect(closestKey('timeout-ms', known)).toBe('timeout_ms');
    expect(closestKey('retires', known)).toBe('retries');
    expect(closestKey('ByteOrder', known)).toBe('byte_order');
    expect(closestKey('poll', known)).toBe('poll_ms');
    expect(closestKey('timeout', known)).toBe('timeout_ms');
  });
  it("knows what other tools call a key (the section's otherNames), where that key is allowed", () => {
    const others = { slave_id: 'unit_id', multiplier: 'scale', data_type: 'type' };
    expect(closestKey('slave_id', known, others)).toBe('unit_id');
    expect(closestKey('slaveId', known, others)).toBe('unit_id');
    expect(closestKey('multiplier', ['metric', 'table', 'scale', 'offset'], others)).toBe('scale');
    expect(closestKey('data_type', ['metric', 'table', 'type'], others)).toBe('type');
    expect(closestKey('slave_id', ['name', 'tags'], others)).toBeUndefined();
    expect(closestKey('slave_id', known)).toBeUndefined();
    expect(closestKey('toString', ['tags'])).toBeUndefined();
  });
  it('guesses nothing when nothing is close, or two are equally close', () => {
    expect(closestKey('interval', known)).toBeUndefined();
    expect(closestKey('ab', ['ac', 'ad'])).toBeUndefined();
    expect(closestKey('x', known)).toBeUndefined();
  });
  it('prefers a key one edit away to one the unit rule would give, and adds only units', () => {
    const can = ['signals', 'signal_tags', 'messages', 'metric'];
    expect(closestKey('signal', can)).toBe('signals');
    expect(closestKey('tag', ['tags', 'tag_prefix'])).toBe('tags');
    expect(closestKey('heartbeat', ['heartbeat_s', 'heartbeat_system_id'])).toBe('heartbeat_s');
    expect(closestKey('batch', ['batch_size_limit', 'url'])).toBeUndefined();
  });
});

describe('keysAt', () => {
  const schema = z.strictObject({
    sink: z.strictObject({ url: z.string(), batch: z.strictObject({ max_points: z.number() }).optional() }),
    devices: z.array(z.union([z.strictObject({ host: z.string() }), z.strictObject({ path: z.string(), baud: z.number() })])).default([]),
    tags: z.record(z.string(), z.strictObject({ value: z.string() })).optional(),
    lazy: z.lazy(() => z.strictObject({ deep: z.number() })),
    piped: z.string().transform((s) => s.length).pipe(z.number()).optional(),
  });
  it('walks objects, arrays, unions, records, lazy schemas and wrappers', () => {
    expect(keysAt(schema, [])).toEqual(['sink', 'devices', 'tags', 'lazy', 'piped']);
    expect(keysAt(schema, ['sink', 'batch'])).toEqual(['max_points']);
    expect(keysAt(schema, ['devices', 3])).toEqual(['host', 'path', 'baud']);
    expect(keysAt(schema, ['tags', 'anything'])).toEqual(['value']);
    expect(keysAt(schema, ['lazy'])).toEqual(['deep']);
    expect(keysAt(schema, ['piped'])).toEqual([]);
    expect(keysAt(schema, ['nowhere', 'at', 'all'])).toEqual([]);
  });
});
