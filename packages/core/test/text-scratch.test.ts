import { describe, expect, it } from 'vitest';
import { createTextScratch } from '../src/sink/_text-scratch.js';

describe('text scratch (the bytes a batch is compressed from)', () => {
  it('holds the UTF-8 bytes of any text, multi-byte characters included', () => {
    const scratch = createTextScratch(2, 1 << 20);
    for (const text of ['', '{"a":1}', 'grüße 温度 🌡️', 'x'.repeat(200_000)]) {
      const lent = scratch.encode(text);
      expect(lent.bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
      lent.release();
    }
  });

  it('lends the same buffers again once given back, keeping at most `keep`', () => {
    const scratch = createTextScratch(2, 1 << 20);
    const a = scratch.encode('a'.repeat(1000));
    const b = scratch.encode('b'.repeat(1000));
    const c = scratch.encode('c'.repeat(1000));
    const buffers = [a, b, c].map((l) => l.bytes.buffer);
    expect(new Set(buffers).size).toBe(3);
    for (const lent of [a, b, c]) lent.release();
    // The third was made for its text only, beyond `keep`: not kept.
    expect(scratch.stats().buffers).toBe(2);
    const again = [scratch.encode('d'), scratch.encode('e')];
    expect(again.map((l) => buffers.slice(0, 2).includes(l.bytes.buffer))).toEqual([true, true]);
    // Releasing twice does not lend one buffer to two texts.
    again[0]!.release();
    again[0]!.release();
    expect(scratch.stats().buffers).toBe(1);
  });

  it('grows a kept buffer for a longer text, and never keeps one past maxBytes', () => {
    const scratch = createTextScratch(1, 512 * 1024);
    scratch.encode('s').release();
    const small = scratch.stats().bytes;
    scratch.encode('l'.repeat(300_000)).release();
    expect(scratch.stats()).toEqual({ buffers: 1, bytes: 512 * 1024 });
    expect(small).toBeLessThan(512 * 1024);
    const huge = scratch.encode('h'.repeat(600_000));
    expect(huge.bytes.length).toBe(600_000);
    huge.release();
    expect(scratch.stats()).toEqual({ buffers: 1, bytes: 512 * 1024 });
  });
});
