import { describe, expect, it } from 'vitest';
import { createMemorySpool } from '../src/spool/index.js';
import { describeSpoolConformance } from '../src/testing/index.js';
import { testBatch } from './spool-test-kit.js';

describeSpoolConformance('memory', (limits) => createMemorySpool(limits));

describe('memory spool', () => {
  it('is kind memory and loses its content on close', () => {
    const spool = createMemorySpool({ maxBytes: 1000, whenFull: 'drop_oldest' });
    expect(spool.kind).toBe('memory');
    spool.append(testBatch('a', [{ metric: 'm', value: 1 }], { bytes: 10, createdAtMs: 1 }));
    spool.close();
    expect(spool.stats()).toEqual({ batches: 0, points: 0, bytes: 0, oldestCreatedAtMs: undefined });
  });

  it('handles a backlog of 200,000 batches with acks out of order', () => {
    const spool = createMemorySpool({ maxBytes: 1e12, whenFull: 'drop_oldest' });
    const total = 200_000;
    const one = testBatch('b', [{ metric: 'm', value: 1 }], { bytes: 10 });
    for (let n = 0; n < total; n++) spool.append({ ...one, id: `b${n}`, createdAtMs: 1000 + (n % 1000) });
    const held = spool.lease(3);
    spool.ack(held[1]!.id);
    let seen = 0;
    for (;;) {
      const batch = spool.lease(1000);
      if (batch.length === 0) break;
      for (const b of batch) spool.ack(b.id);
      seen += batch.length;
    }
    expect(seen).toBe(total - 3);
    expect(spool.stats()).toEqual({ batches: 2, points: 2, bytes: 20, oldestCreatedAtMs: 1000 });
  });

  it('refuses invalid limits', () => {
    expect(() => createMemorySpool({ maxBytes: 0, whenFull: 'drop_oldest' })).toThrow(/maxBytes/);
    expect(() => createMemorySpool({ maxBytes: 10, whenFull: 'nope' as never })).toThrow(/whenFull/);
    expect(() => createMemorySpool({ maxBytes: 10, whenFull: 'block', maxAgeMs: -1 })).toThrow(/maxAgeMs/);
  });
});
