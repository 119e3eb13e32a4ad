import { describe, expect, it } from 'vitest';
import { decideCapacity } from '../src/spool/index.js';
import type { CapacityCandidate, CapacityView, SpoolLimits } from '../src/spool/index.js';

/** A view over unleased batches of the given sizes (ids u0, u1, ...), counting how many were read. */
function view(bytes: number, batches: number, unleased: number[]): CapacityView & { read: () => number } {
  let read = 0;
  return {
    bytes,
    batches,
    read: () => read,
    *unleasedOldestFirst(): Generator<CapacityCandidate> {
      for (const [i, size] of unleased.entries()) {
        read += 1;
        yield { id: `u${i}`, bytes: size };
      }
    },
  };
}

const limits = (whenFull: SpoolLimits['whenFull']): SpoolLimits => ({ maxBytes: 1000, whenFull });

describe('decideCapacity', () => {
  it('stores what fits, up to exactly maxBytes, without reading the content', () => {
    for (const whenFull of ['drop_oldest', 'drop_newest', 'block'] as const) {
      const v = view(900, 9, [100, 100]);
      expect(decideCapacity(v, limits(whenFull), 100)).toEqual({ action: 'store', evict: [] });
      expect(v.read()).toBe(0);
    }
  });

  it('drop_oldest reads only as many candidates as it evicts', () => {
    const v = view(1000, 10, [100, 300, 100, 100]);
    expect(decideCapacity(v, limits('drop_oldest'), 350)).toEqual({
      action: 'store',
      evict: [
        { id: 'u0', bytes: 100 },
        { id: 'u1', bytes: 300 },
      ],
    });
    expect(v.read()).toBe(2);
  });

  it('drop_oldest evicts every unleased batch and stores anyway when leased ones fill the spool', () => {
    const v = view(1000, 5, [100, 100]);
    const decision = decideCapacity(v, limits('drop_oldest'), 500);
    expect(decision).toEqual({ action: 'store', evict: [{ id: 'u0', bytes: 100 }, { id: 'u1', bytes: 100 }] });
  });

  it('drop_newest drops and block refuses what does not fit', () => {
    expect(decideCapacity(view(950, 5, [100]), limits('drop_newest'), 100)).toEqual({ action: 'drop_incoming' });
    expect(decideCapacity(view(950, 5, [100]), limits('block'), 100)).toEqual({ action: 'refuse' });
  });

  it('handles a batch larger than maxBytes on its own', () => {
    expect(decideCapacity(view(0, 0, []), limits('drop_oldest'), 1001)).toEqual({ action: 'drop_incoming' });
    expect(decideCapacity(view(100, 1, [100]), limits('drop_oldest'), 1001)).toEqual({ action: 'drop_incoming' });
    expect(decideCapacity(view(0, 0, []), limits('drop_newest'), 1001)).toEqual({ action: 'drop_incoming' });
    expect(decideCapacity(view(0, 0, []), limits('block'), 1001)).toEqual({ action: 'store', evict: [] });
    expect(decideCapacity(view(1, 1, [1]), limits('block'), 1001)).toEqual({ action: 'refuse' });
  });
});
