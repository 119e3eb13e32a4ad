import { describe, expect, it } from 'vitest';
import { createBufferPool } from '../src/sink/_buffer-pool.js';

describe('buffer pool (the buffers batch bodies are written into)', () => {
  it('lends a buffer of at least the size asked for', () => {
    const pool = createBufferPool(2, 1 << 20);
    for (const need of [0, 1, 65_536, 200_000]) {
      const lent = pool.lend(need);
      expect(lent.buffer.length).toBeGreaterThanOrEqual(need);
      lent.release();
    }
  });

  it('lends the same buffers again once given back, keeping at most `keep`', () => {
    const pool = createBufferPool(2, 1 << 20);
    const a = pool.lend(1000);
    const b = pool.lend(1000);
    const c = pool.lend(1000);
    const buffers = [a, b, c].map((l) => l.buffer);
    expect(new Set(buffers).size).toBe(3);
    for (const lent of [a, b, c]) lent.release();
    // The third was made for its use only, beyond `keep`: not kept.
    expect(pool.stats().buffers).toBe(2);
    const again = [pool.lend(1), pool.lend(1)];
    expect(again.map((l) => buffers.slice(0, 2).includes(l.buffer))).toEqual([true, true]);
    // Releasing twice does not lend one buffer to two users.
    again[0]!.release();
    again[0]!.release();
    expect(pool.stats().buffers).toBe(1);
  });

  it('replaces a kept buffer that is too small, and never keeps one past maxBytes', () => {
    const pool = createBufferPool(1, 512 * 1024);
    pool.lend(1).release();
    const small = pool.stats().bytes;
    pool.lend(300_000).release();
    expect(pool.stats()).toEqual({ buffers: 1, bytes: 512 * 1024 });
    expect(small).toBeLessThan(512 * 1024);
    const huge = pool.lend(600_000);
    expect(huge.buffer.length).toBe(600_000);
    huge.release();
    expect(pool.stats()).toEqual({ buffers: 1, bytes: 512 * 1024 });
  });
});
