import { describe, expect, it } from 'vitest';
import { createBufferPool } from '../src/sink/_buffer-pool.js';
import { createOpenBody } from '../src/sink/_open-body.js';

const PREFIX = '{"source_id":"s","points":';

describe('open body (a batch body written as its points come)', () => {
  it('joins the arrays written into one body, multi-byte text and a buffer too small for it included', () => {
    const body = createOpenBody(PREFIX, 1 << 20, createBufferPool(2, 1 << 22));
    const arrays = [[{ v: 'grüße 温度 🌡️' }], [{ v: 1 }, { v: 2 }], [{ v: 'x'.repeat(100_000) }], [{ v: 'z' }]];
    for (const a of arrays) expect(body.append(JSON.stringify(a), a.length)).toBe(true);
    expect(body.count).toBe(5);
    const size = body.size();
    const finished = body.finish()!;
    expect(finished.bytes.length).toBe(size);
    expect(JSON.parse(finished.bytes.toString('utf8'))).toEqual({ source_id: 's', points: arrays.flat() });
    finished.lent.release();
    expect(body.count).toBe(0);
    expect(body.finish()).toBeUndefined();
  });

  it('refuses an array that would take the body past maxBytes, to the byte, but never a lone point of an empty body', () => {
    const one = JSON.stringify([{ v: 'a'.repeat(40) }]);
    // The prefix, the array without its closing bracket, and the closing `]}`.
    const bodyOfOne = Buffer.byteLength(PREFIX) + one.length + 1;
    const two = createOpenBody(PREFIX, bodyOfOne + one.length - 1, createBufferPool(1, 1 << 20));
    expect(two.append(one, 1)).toBe(true);
    expect(two.append(one, 1)).toBe(true);
    expect(two.size()).toBe(bodyOfOne + one.length - 1);
    expect(two.append('[1]', 1)).toBe(false);
    expect(two.count).toBe(2);

    const tiny = createOpenBody(PREFIX, 10, createBufferPool(1, 1 << 20));
    expect(tiny.append(`[${one.slice(1, -1)},${one.slice(1, -1)}]`, 2)).toBe(false);
    expect(tiny.append(one, 1)).toBe(true);
    expect(JSON.parse(tiny.finish()!.bytes.toString()).points).toHaveLength(1);
  });
});
