import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch } from '../src/index.js';
import { batchPoints } from '../src/shared/batch-codec.js';
import { createBatcher } from '../src/sink/batcher.js';

const point = (i: number) => ({ metric: 'm', value: i, timestamp: 1_700_000_000_000 + i });

describe('batcher', () => {
  it('compresses off the event loop and still hands batches on in the order sealed, small and large mixed', async () => {
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 1000, maxBytes: 1 << 20, lingerMs: 1000, run: 'r', codec: { sourceId: 'b', gzipLevel: 1 }, now: () => Date.now(), onSeal: (b) => sealed.push(b), compressOnLoop: () => false });
    const sizes = [200, 3, 500, 1, 1, 300, 2, 800, 5, 100];
    let next = 0;
    for (const n of sizes) {
      for (let i = 0; i < n; i++) batcher.add({ metric: 'm', value: next++, timestamp: 1_700_000_000_000 });
      batcher.seal();
    }
    // The small ones are ready at once, the large ones are on the threadpool: nothing overtakes.
    await batcher.settled();
    expect(sealed.map((b) => b.count)).toEqual(sizes);
    expect(sealed.flatMap((b) => batchPoints(b)).map((p) => p.value)).toEqual([...Array(next).keys()]);
    expect(sealed.map((b) => b.encoding)).toEqual(sizes.map((n) => (n >= 100 ? 'gzip-body' : 'json-body')));
  });

  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (o: { maxPoints?: number; maxBytes?: number; lingerMs?: number }) => {
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 1000, maxBytes: 1 << 20, lingerMs: 1000, run: 'run-1', codec: { sourceId: 'b', gzipLevel: 1 }, now: () => Date.now(), onSeal: (b) => sealed.push(b), ...o });
    return { batcher, sealed };
  };

  it('seals at max_points at once', () => {
    const { batcher, sealed } = make({ maxPoints: 10 });
    for (let i = 0; i < 25; i++) batcher.add(point(i));
    expect(sealed.map((b) => b.count)).toEqual([10, 10]);
    expect(batcher.pending()).toBe(5);
  });

  it('seals before a batch would pass max_bytes', async () => {
    const { batcher, sealed } = make({ maxBytes: 2048 });
    for (let i = 0; i < 100; i++) batcher.add(point(i));
    await batcher.settled();
    expect(sealed.length).toBeGreaterThan(1);
    for (const b of sealed) expect(b.rawBytes).toBeLessThanOrEqual(2048);
    const values = sealed.flatMap((b) => batchPoints(b)).map((p) => p.value);
    expect(values).toEqual([...Array(values.length).keys()]);
  });

  it('seals linger_ms after the first point of a batch', () => {
    const { batcher, sealed } = make({ lingerMs: 500 });
    batcher.add(point(1));
    vi.advanceTimersByTime(499);
    batcher.add(point(2));
    expect(sealed).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.count).toBe(2);
  });

  it('gives every batch a distinct id', () => {
    const { batcher, sealed } = make({ maxPoints: 1 });
    for (let i = 0; i < 50; i++) batcher.add(point(i));
    expect(new Set(sealed.map((b) => b.id)).size).toBe(50);
  });

  it('records which points carry provisional timestamps, with the run that stamped them', () => {
    const { batcher, sealed } = make({ maxPoints: 3 });
    batcher.add(point(0), true);
    batcher.add(point(1));
    batcher.add(point(2), true);
    batcher.add(point(3));
    batcher.seal();
    expect(sealed[0]?.unsynced).toEqual({ run: 'run-1', indices: [0, 2] });
    expect(sealed[1]?.unsynced).toBeUndefined();
  });

  it('encodes each point once, into the gzip-compressed HTTP body (over 1 KiB)', async () => {
    const { batcher, sealed } = make({ maxPoints: 30 });
    for (let i = 0; i < 31; i++) batcher.add({ ...point(i), tags: { site: 'a' } });
    batcher.seal();
    await batcher.settled();
    const [big, small] = sealed;
    expect(big!.encoding).toBe('gzip-body');
    expect(batchPoints(big!)).toEqual([...Array(30).keys()].map((i) => ({ ...point(i), tags: { site: 'a' } })));
    expect((big!.data as Buffer).length).toBeLessThan(big!.rawBytes! / 3);
    // A body of 1 KiB or less goes as it is.
    expect(small!.encoding).toBe('json-body');
    expect(batchPoints(small!)).toEqual([{ ...point(30), tags: { site: 'a' } }]);
  });

  it('leaves out a point JSON cannot encode, hands it on with the reason, and seals the rest (from the timer and inside add())', async () => {
    const refused: Array<{ metrics: string[]; reason: string }> = [];
    const sealed: Batch[] = [];
    const withRefusals = createBatcher({
      maxPoints: 4, maxBytes: 1 << 20, lingerMs: 500, run: 'run-1', codec: { sourceId: 'b', gzipLevel: 1 }, now: () => Date.now(),
      onSeal: (b) => sealed.push(b),
      onUnencodable: (points, reason) => refused.push({ metrics: points.map((p) => p.metric), reason }),
    });
    const circular: { [k: string]: unknown } = { n: 1 };
    circular.self = circular;
    // Sealed by the timer: a throw there would end the process.
    withRefusals.add(point(0), true);
    withRefusals.add({ metric: 'big', value: { x: 10n } as unknown as object, timestamp: 1_700_000_000_000 });
    withRefusals.add(point(2), true);
    expect(() => vi.advanceTimersByTime(500)).not.toThrow();
    // Sealed inside add() by max_points: a throw there would come out of the caller's write().
    withRefusals.add(point(3));
    withRefusals.add({ metric: 'circular', value: circular, timestamp: 1_700_000_000_000 });
    withRefusals.add(point(5));
    expect(() => withRefusals.add(point(6))).not.toThrow();
    await withRefusals.settled();
    expect(refused).toEqual([
      { metrics: ['big'], reason: expect.stringMatching(/^cannot be encoded as JSON: .*BigInt/) },
      { metrics: ['circular'], reason: expect.stringMatching(/^cannot be encoded as JSON: .*circular/i) },
    ]);
    expect(sealed.map((b) => batchPoints(b).map((p) => p.value))).toEqual([[0, 2], [3, 5, 6]]);
    // The provisional stamps follow their points.
    expect(sealed[0]!.unsynced).toEqual({ run: 'run-1', indices: [0, 1] });
    expect(withRefusals.pending()).toBe(0);
  });

  it('lets the rest linger when points that came out larger than estimated sealed their batch early', async () => {
    const { batcher, sealed } = make({ maxBytes: 4096, lingerMs: 500 });
    for (let i = 0; i < 5; i++) batcher.add({ metric: 'm', value: '"\u0001'.repeat(200), class: 'event' });
    // The turn is over: its points are encoded, two batches' worth sealed at once.
    vi.advanceTimersByTime(1);
    await batcher.settled();
    expect(sealed.map((b) => b.count)).toEqual([2, 2]);
    vi.advanceTimersByTime(500);
    await batcher.settled();
    expect(sealed.map((b) => b.count)).toEqual([2, 2, 1]);
  });

  it('still lingers when the handler of unencodable points throws after points sealed their batch early', () => {
    const sealed: Batch[] = [];
    const errors: unknown[] = [];
    const batcher = createBatcher({
      maxPoints: 1000, maxBytes: 4096, lingerMs: 100, run: 'r', codec: { sourceId: 's', gzipLevel: undefined }, now: () => Date.now(),
      onSeal: (b) => sealed.push(b),
      onSealError: (err) => errors.push(err),
      onUnencodable: () => {
        throw new Error('boom');
      },
    });
    for (let i = 0; i < 5; i++) batcher.add({ metric: 'm', value: '"\u0001'.repeat(200), timestamp: 1 });
    batcher.add({ metric: 'bad', value: { x: 10n } as unknown as object, timestamp: 1 });
    vi.advanceTimersByTime(1);
    expect(sealed.map((b) => b.count)).toEqual([2, 2]);
    expect(errors).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sealed.map((b) => b.count)).toEqual([2, 2, 1]);
    expect(batcher.pending()).toBe(0);
  });

  it('seals two halves when the real JSON passes max_bytes (text full of escapes)', async () => {
    const { batcher, sealed } = make({ maxBytes: 4096 });
    // Quotes and control characters double or sextuple in JSON: the estimate cannot see it.
    for (let i = 0; i < 6; i++) batcher.add({ metric: 'm', value: '"\u0001'.repeat(200), class: 'event' });
    batcher.seal();
    await batcher.settled();
    for (const b of sealed) expect(b.rawBytes).toBeLessThanOrEqual(4096);
    expect(sealed.reduce((n, b) => n + b.count, 0)).toBe(6);
  });
});

describe('batcher: points held as bytes', () => {
  it('encodes the points of a turn of the event loop once it is over, holding none of them until the batch seals', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 10_000, maxBytes: 1 << 20, lingerMs: 60_000, run: 'r', codec: { sourceId: 'b', gzipLevel: 1 }, now: () => Date.now(), onSeal: (b) => sealed.push(b) });
    const add = (i: number): WeakRef<object> => {
      const p = point(i);
      batcher.add(p);
      return new WeakRef(p);
    };
    const refs = Array.from({ length: 1200 }, (_, i) => add(i));
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // Held as objects for the batch's linger (a second by default), they would outlive the young
    // generation and cost more to collect than to encode.
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(batcher.pending()).toBe(1200);
    batcher.seal();
    await batcher.settled();
    expect(sealed.flatMap((b) => batchPoints(b))).toEqual([...Array(1200).keys()].map(point));
    batcher.stop();
  });

  it('keeps each provisional stamp on its point across the arrays a busy turn is encoded in', async () => {
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 10_000, maxBytes: 1 << 20, lingerMs: 60_000, run: 'r', codec: { sourceId: 'b', gzipLevel: 1 }, now: () => Date.now(), onSeal: (b) => sealed.push(b) });
    const marked = new Set([0, 499, 500, 501, 999, 1000, 1499, 2047]);
    const circular: { [k: string]: unknown } = {};
    circular.self = circular;
    for (let i = 0; i < 2048; i++) {
      // One point JSON cannot encode, in the second array: the stamps after it move up by one.
      if (i === 700) batcher.add({ metric: 'circular', value: circular as never, timestamp: 1 }, true);
      batcher.add(point(i), marked.has(i));
    }
    batcher.seal();
    await batcher.settled();
    expect(sealed).toHaveLength(1);
    const points = batchPoints(sealed[0]!);
    expect(points.map((p) => p.value)).toEqual([...Array(2048).keys()]);
    expect(sealed[0]!.unsynced!.indices.map((i) => points[i]!.value)).toEqual([...marked]);
  });
});

describe('batcher: where a batch is compressed', () => {
  const make = (compressOnLoop?: () => boolean) => {
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 1000, maxBytes: 1 << 20, lingerMs: 1000, run: 'r', codec: { sourceId: 'b', gzipLevel: 1 }, now: () => Date.now(), onSeal: (b) => sealed.push(b), ...(compressOnLoop ? { compressOnLoop } : {}) });
    let next = 0;
    const fill = (): void => {
      for (let i = 0; i < 200; i++) batcher.add(point(next++));
      batcher.seal();
    };
    return { batcher, sealed, fill };
  };

  it('on the event loop when asked to (a mostly idle loop), and on the threadpool after the loop ran code all along', async () => {
    const onLoop = make(() => true);
    onLoop.fill();
    expect(onLoop.sealed.map((b) => b.encoding)).toEqual(['gzip-body']);
    // The default judge, node's loop utilization: busy the whole time since the batcher was made.
    const { batcher, sealed, fill } = make();
    const end = performance.now() + 30;
    while (performance.now() < end);
    fill();
    expect(sealed).toHaveLength(0);
    await batcher.settled();
    expect(sealed.map((b) => [b.count, b.encoding])).toEqual([[200, 'gzip-body']]);
  });

  it('sends a body over 256 KiB to the threadpool even from an idle loop', async () => {
    const sealed: Batch[] = [];
    const batcher = createBatcher({ maxPoints: 10_000, maxBytes: 1 << 20, lingerMs: 1000, run: 'r', codec: { sourceId: 'b', gzipLevel: 9 }, now: () => Date.now(), onSeal: (b) => sealed.push(b), compressOnLoop: () => true });
    for (let i = 0; i < 5000; i++) batcher.add({ ...point(i), tags: { line: 'packaging-line-4', cell: `cell-${i % 7}` } });
    batcher.seal();
    expect(sealed).toHaveLength(0);
    await batcher.settled();
    expect(sealed[0]!.rawBytes).toBeGreaterThan(256 * 1024);
    expect(sealed[0]!.encoding).toBe('gzip-body');
  });

  it('hands a batch compressed on the loop on after those still on the threadpool', async () => {
    const onLoop = [false, true, false, true];
    const { batcher, sealed, fill } = make(() => onLoop.shift()!);
    for (let i = 0; i < 4; i++) fill();
    expect(sealed).toHaveLength(0);
    await batcher.settled();
    expect(sealed.flatMap((b) => batchPoints(b)).map((p) => p.value)).toEqual([...Array(800).keys()]);
  });
});
