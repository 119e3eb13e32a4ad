import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createOutstanding } from '../src/sink/outstanding.js';
import { BATCH_OVERHEAD_BYTES, newBatchId } from '../src/shared/batch.js';
import { createMemorySpool, type SpoolStats } from '../src/spool/index.js';
import { describeSpoolConformance } from '../src/testing/index.js';
import { testBatch } from './spool-test-kit.js';

describeSpoolConformance('memory', (limits) => createMemorySpool(limits));

describe('memory spool', () => {
  it('is kind memory and loses its content on close', () => {
    const spool = createMemorySpool({ maxBytes: 1000, whenFull: 'drop_oldest' });
    expect(spool.kind).toBe('memory');
    spool.append(testBatch('a', [{ metric: 'm', value: 1 }], { bytes: 10, createdAtMs: 1 }));
    spool.close();
    expect(spool.stats()).toStrictEqual({ batches: 0, points: 0, bytes: 0 });
    // The type says what the value is: an empty spool has no oldest batch (checked by `typecheck`).
    const empty: SpoolStats = { batches: 0, points: 0, bytes: 0 };
    expect(spool.stats()).toStrictEqual(empty);
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

  it('holds a batch in no more heap than the overhead max_bytes counts for it (with the sink\'s place for it in flush()\'s line)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async (): Promise<number> => {
      for (let k = 0; k < 3; k++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed;
    };
    const spool = createMemorySpool({ maxBytes: 1e12, whenFull: 'drop_oldest' });
    const outstanding = createOutstanding();
    const data = Buffer.alloc(8000, 7);
    const total = 30_000;
    const t0 = 1_765_000_000_000;
    const before = await settle();
    for (let n = 0; n < total; n++) {
      // Distinct creation times with fractions: each one a number of its own, as sealing makes them.
      const id = newBatchId(t0 + n);
      spool.append({ id, count: 1000, bytes: data.length + BATCH_OVERHEAD_BYTES, createdAtMs: t0 + n + 0.25, encoding: 'gzip-body', data, rawBytes: 100_000 });
      outstanding.add(id);
    }
    const perBatch = ((await settle()) - before) / total;
    expect(spool.stats().batches).toBe(total);
    expect(perBatch).toBeGreaterThan(100);
    expect(perBatch).toBeLessThanOrEqual(BATCH_OVERHEAD_BYTES);
    spool.close();
  });

  it('refuses invalid limits', () => {
    expect(() => createMemorySpool({ maxBytes: 0, whenFull: 'drop_oldest' })).toThrow(/maxBytes/);
    expect(() => createMemorySpool({ maxBytes: 10, whenFull: 'nope' as never })).toThrow(/whenFull/);
    expect(() => createMemorySpool({ maxBytes: 10, whenFull: 'block', maxAgeMs: -1 })).toThrow(/maxAgeMs/);
  });
});
