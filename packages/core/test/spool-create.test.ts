import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isFieldbridgeError } from '../src/errors.js';
import { createSpool, DEFAULT_SPOOL_MAX_BYTES } from '../src/spool/index.js';
import type { CreateSpoolOptions, Spool } from '../src/spool/index.js';
import { tempDirs, testBatch } from './spool-test-kit.js';

describe('createSpool', () => {
  const dirs = tempDirs();
  const open: Spool[] = [];
  const create = (options?: CreateSpoolOptions): Spool => {
    const spool = createSpool(options);
    open.push(spool);
    return spool;
  };
  afterEach(() => {
    for (const spool of open.splice(0)) spool.close();
    dirs.cleanup();
  });

  it('makes a memory spool without a path, with 256 MiB and drop_oldest by default', () => {
    const spool = create();
    expect(spool.kind).toBe('memory');
    expect(DEFAULT_SPOOL_MAX_BYTES).toBe(256 * 1024 * 1024);
    const full = testBatch('full', [], { bytes: DEFAULT_SPOOL_MAX_BYTES, createdAtMs: 1 });
    expect(spool.append(full)).toEqual({ accepted: true, dropped: [] });
    const next = spool.append(testBatch('next', [], { bytes: 1, createdAtMs: 2 }));
    expect(next).toEqual({ accepted: true, dropped: [{ id: 'full', count: 0, reason: 'buffer_full' }] });
  });

  it('makes a disk spool at path, honouring the limits', () => {
    const spool = create({ path: join(dirs.make(), 'buffer'), maxBytes: 10, whenFull: 'drop_newest', maxAgeMs: 5, durability: 'power' });
    expect(spool.kind).toBe('disk');
    const big = testBatch('big', [], { bytes: 11, createdAtMs: 1 });
    expect(spool.append(big)).toEqual({ accepted: false, dropped: [{ id: 'big', count: 0, reason: 'buffer_full' }] });
    expect(spool.append(testBatch('old', [], { bytes: 1, createdAtMs: 1 })).accepted).toBe(true);
    expect(spool.expire(7).map((d) => d.id)).toEqual(['old']);
  });

  const invalid: [string, CreateSpoolOptions, RegExp][] = [
    ['maxBytes 0', { maxBytes: 0 }, /maxBytes must be a positive number/],
    ['maxBytes NaN', { maxBytes: Number.NaN }, /maxBytes/],
    ['maxBytes as a string', { maxBytes: '256MiB' as never }, /maxBytes/],
    ['an unknown whenFull', { whenFull: 'drop_all' as never }, /whenFull must be one of drop_oldest, drop_newest, block/],
    ['a negative maxAgeMs', { maxAgeMs: -1 }, /maxAgeMs/],
    ['an empty path', { path: ' ' }, /path must be a non-empty/],
    ['an unknown durability', { path: '/tmp/x', durability: 'disk' as never }, /durability/],
    ['an unknown key', { maxbytes: 5 } as never, /unknown spool option "maxbytes"/],
  ];
  for (const [what, options, message] of invalid) {
    it(`refuses ${what} with OPTIONS_INVALID`, () => {
      let caught: unknown;
      try {
        create(options);
      } catch (err) {
        caught = err;
      }
      expect(isFieldbridgeError(caught, 'OPTIONS_INVALID')).toBe(true);
      expect((caught as Error).message).toMatch(message);
    });
  }
});
