import { describe, expect, it } from 'vitest';
import type { Batch } from '../shared/batch.js';
import { batch, drainIds, expectHolds, fill, ids } from './_spool-kit.js';
import type { MakeSpool } from './_spool-kit.js';

/** Exact stats through a mixed sequence, close, reopen, and a larger backlog. */
export function lifecycleTests(make: MakeSpool): void {
  it('keeps stats exact after every operation, oldest being the smallest createdAtMs held', () => {
    const { spool } = make({ maxBytes: 1000, whenFull: 'drop_oldest', maxAgeMs: 100 });
    const b1 = batch(1, { points: 3, bytes: 300, createdAtMs: 5000 });
    const b2 = batch(2, { points: 1, bytes: 200, createdAtMs: 4000 });
    const b3 = batch(3, { points: 4, bytes: 400, createdAtMs: 6000 });
    const held: Batch[] = [];
    const step = (fn: () => void, now: Batch[]): void => {
      fn();
      held.splice(0, held.length, ...now);
      expectHolds(spool, held);
    };
    step(() => fill(spool, [b1]), [b1]);
    step(() => fill(spool, [b2]), [b1, b2]);
    step(() => spool.lease(1), [b1, b2]);
    step(() => fill(spool, [b3]), [b1, b2, b3]);
    const p1 = { ...batch(0, { points: 2, bytes: 150, createdAtMs: 4000 }), id: 'b2.0' };
    const p2 = { ...batch(0, { points: 1, bytes: 60, createdAtMs: 3000 }), id: 'b2.1' };
    step(() => spool.replace('b2', [p1, p2]), [b1, p1, p2, b3]);
    step(() => spool.ack('b2.1'), [b1, p1, b3]);
    const b4 = batch(4, { points: 2, bytes: 400, createdAtMs: 7000 });
    step(() => expect(spool.append(b4).dropped.map((d) => d.id)).toEqual(['b2.0', 'b3']), [b1, b4]);
    step(() => spool.release('b1'), [b1, b4]);
    step(() => expect(spool.expire(5101).map((d) => d.id)).toEqual(['b1']), [b4]);
    step(() => spool.ack('b4'), []);
    step(() => fill(spool, [b2]), [b2]);
  });

  it('keeps which timestamps are provisional with the batch (Batch.unsynced)', () => {
    const { spool } = make();
    const provisional = { ...batch(1, { points: 3 }), unsynced: { run: 'r1', indices: [0, 2] } };
    fill(spool, [provisional, batch(2)]);
    const [first, second] = spool.lease(2);
    expect(first?.unsynced).toEqual({ run: 'r1', indices: [0, 2] });
    expect(second?.unsynced).toBeUndefined();
  });

  it('close is idempotent', () => {
    const { spool } = make();
    fill(spool, [batch(1)]);
    spool.close();
    expect(() => spool.close()).not.toThrow();
  });

  it('after close, ack and release do nothing and appending throws', () => {
    const { spool } = make();
    fill(spool, [batch(1)]);
    spool.lease(1);
    spool.close();
    expect(() => spool.ack('b1')).not.toThrow();
    expect(() => spool.release('b1')).not.toThrow();
    expect(() => spool.append(batch(2))).toThrow(/closed/);
  });

  describe('reopen', () => {
    it('keeps content, order, points and stats across a reopen', (ctx) => {
      const { spool, reopen } = make();
      if (reopen === undefined) return ctx.skip();
      const held = [batch(1, { createdAtMs: 9 }), batch(2, { points: 5 }), batch(3, { bytes: 7 })];
      fill(spool, held);
      spool.close();
      const again = reopen();
      expectHolds(again, held);
      expect(again.lease(10)).toEqual(held);
    });

    it('keeps provisional timestamps marked across a reopen', (ctx) => {
      const { spool, reopen } = make();
      if (reopen === undefined) return ctx.skip();
      fill(spool, [{ ...batch(1), unsynced: { run: 'r1', indices: [1] } }]);
      spool.close();
      expect(reopen().lease(1)[0]?.unsynced).toEqual({ run: 'r1', indices: [1] });
    });

    it('forgets leases: every stored batch is leasable again after a reopen', (ctx) => {
      const { spool, reopen } = make();
      if (reopen === undefined) return ctx.skip();
      fill(spool, [1, 2, 3].map((n) => batch(n)));
      expect(ids(spool.lease(2))).toEqual(['b1', 'b2']);
      spool.ack('b1');
      spool.close();
      expect(drainIds(reopen())).toEqual(['b2', 'b3']);
    });

    it('keeps parts in place across a reopen, and appends after reopen go last', (ctx) => {
      const { spool, reopen } = make();
      if (reopen === undefined) return ctx.skip();
      fill(spool, [1, 2, 3].map((n) => batch(n)));
      spool.replace('b3', [{ ...batch(0), id: 'b3.0' }, { ...batch(0), id: 'b3.1' }]);
      spool.replace('b1', [{ ...batch(0), id: 'b1.0' }, { ...batch(0), id: 'b1.1' }]);
      spool.ack('b3.1');
      spool.close();
      const again = reopen();
      fill(again, [batch(4)]);
      again.replace('b1.1', [{ ...batch(0), id: 'b1.1.0' }, { ...batch(0), id: 'b1.1.1' }]);
      again.close();
      expect(drainIds(reopen())).toEqual(['b1.0', 'b1.1.0', 'b1.1.1', 'b2', 'b3.0', 'b4']);
    });
  });

  it('moves a backlog of 5,000 batches through in order', () => {
    const { spool } = make({ maxBytes: 10_000_000 });
    const total = 5000;
    for (let n = 0; n < total; n++) spool.append(batch(n, { points: 3 }));
    expect(spool.stats()).toMatchObject({ batches: total, points: 3 * total, bytes: 100 * total });
    let next = 0;
    for (;;) {
      const leased = spool.lease(250);
      if (leased.length === 0) break;
      for (const b of leased) {
        expect(b.id).toBe(`b${next++}`);
        spool.ack(b.id);
      }
    }
    expect(next).toBe(total);
    expectHolds(spool, []);
  });
}
