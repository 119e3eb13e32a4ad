import { describe, expect, it } from 'vitest';
import type { Point } from '../point/point.js';
import type { Batch } from '../shared/batch.js';
import { batchPoints, encodeBatch } from '../shared/batch-codec.js';
import { batch, drainIds, expectHolds, fill, ids, KIT_CODEC } from './_spool-kit.js';
import type { MakeSpool } from './_spool-kit.js';

/** Order, leases, release, ack, duplicate appends and replace. */
export function queueTests(make: MakeSpool): void {
  describe('order and leases', () => {
    it('starts empty', () => {
      const { spool } = make();
      expectHolds(spool, []);
      expect(spool.lease(10)).toEqual([]);
    });

    it('leases oldest first, at most max, never a leased batch again', () => {
      const { spool } = make();
      fill(spool, [1, 2, 3, 4, 5].map((n) => batch(n)));
      expect(spool.lease(0)).toEqual([]);
      expect(ids(spool.lease(2))).toEqual(['b1', 'b2']);
      expect(ids(spool.lease(10))).toEqual(['b3', 'b4', 'b5']);
      expect(spool.lease(10)).toEqual([]);
      fill(spool, [batch(6)]);
      expect(ids(spool.lease(10))).toEqual(['b6']);
    });

    it('gives back the batch exactly as appended, its points decoding to what was sealed', () => {
      const { spool } = make();
      const points: Point[] = [
        { metric: 'line1.motor.rpm', value: 1480.25, timestamp: 1_700_000_000_000.75, tags: { site: 'plant-a', 'ü': 'ö' } },
        { metric: 'door', value: true, class: 'event', source_id: 'plc-1', session_id: 's-9' },
        { metric: 'fault', value: { code: 7, text: 'overheat "x"', nested: [1, null, 'z'] } },
        { metric: 'trace', value: [1, 2, 3] },
        { metric: 'note', value: '多语言 ✓\n' },
      ];
      const rich: Batch = encodeBatch({ id: 'rich-1', createdAtMs: 1_700_000_000_123.5, points }, KIT_CODEC);
      fill(spool, [rich]);
      const [leased] = spool.lease(1);
      expect(leased).toEqual(rich);
      expect(batchPoints(leased!)).toEqual(points);
    });

    it('release puts a batch back in its old position', () => {
      const { spool } = make();
      fill(spool, [1, 2, 3, 4, 5].map((n) => batch(n)));
      expect(ids(spool.lease(3))).toEqual(['b1', 'b2', 'b3']);
      spool.release('b2');
      expect(ids(spool.lease(10))).toEqual(['b2', 'b4', 'b5']);
      spool.release('b1');
      spool.release('b5');
      expect(drainIds(spool)).toEqual(['b1', 'b5']);
    });

    it('release of an unknown or unleased id changes nothing', () => {
      const { spool } = make();
      const held = [batch(1), batch(2)];
      fill(spool, held);
      spool.release('nope');
      spool.release('b2');
      expectHolds(spool, held);
      expect(drainIds(spool)).toEqual(['b1', 'b2']);
    });

    it('ack removes a batch, leased or not; unknown ids and repeated acks are no-ops', () => {
      const { spool } = make();
      fill(spool, [1, 2, 3].map((n) => batch(n)));
      expect(ids(spool.lease(1))).toEqual(['b1']);
      spool.ack('b1');
      spool.ack('b3');
      spool.ack('b1');
      spool.ack('nope');
      expectHolds(spool, [batch(2)]);
      expect(drainIds(spool)).toEqual(['b2']);
    });

    it('appending an id already held changes nothing and answers accepted', () => {
      const { spool } = make();
      fill(spool, [batch(1), batch(2)]);
      expect(spool.append(batch(1))).toEqual({ accepted: true, dropped: [] });
      expectHolds(spool, [batch(1), batch(2)]);
      expect(drainIds(spool)).toEqual(['b1', 'b2']);
    });
  });

  describe('replace', () => {
    const part = (id: string, n: number): Batch => ({ ...batch(0, { points: n, bytes: 10 * n }), id });

    it("puts the parts in the parent's position, in order, unleased", () => {
      const { spool } = make();
      fill(spool, [1, 2, 3].map((n) => batch(n)));
      expect(ids(spool.lease(2))).toEqual(['b1', 'b2']);
      spool.replace('b2', [part('b2.0', 1), part('b2.1', 2)]);
      expectHolds(spool, [batch(1), part('b2.0', 1), part('b2.1', 2), batch(3)]);
      expect(ids(spool.lease(10))).toEqual(['b2.0', 'b2.1', 'b3']);
      spool.release('b1');
      spool.release('b2.0');
      spool.release('b2.1');
      spool.release('b3');
      expect(drainIds(spool)).toEqual(['b1', 'b2.0', 'b2.1', 'b3']);
    });

    it('keeps the order through repeated cuts, at the head, inside and at the tail', () => {
      const { spool } = make();
      fill(spool, [1, 2, 3].map((n) => batch(n)));
      spool.replace('b1', [part('b1.0', 1), part('b1.1', 1)]);
      spool.replace('b3', [part('b3.0', 1), part('b3.1', 1), part('b3.2', 1)]);
      spool.replace('b1.1', [part('b1.1.0', 1), part('b1.1.1', 1)]);
      spool.replace('b1.1.0', [part('b1.1.0.0', 1), part('b1.1.0.1', 1)]);
      spool.replace('b3.2', [part('b3.2.0', 1)]);
      fill(spool, [batch(4)]);
      const order = ['b1.0', 'b1.1.0.0', 'b1.1.0.1', 'b1.1.1', 'b2', 'b3.0', 'b3.1', 'b3.2.0', 'b4'];
      expect(spool.stats().batches).toBe(order.length);
      expect(drainIds(spool)).toEqual(order);
    });

    it('replacing by no parts removes the batch; an unknown id is a no-op', () => {
      const { spool } = make();
      fill(spool, [batch(1), batch(2)]);
      spool.replace('b1', []);
      spool.replace('nope', [part('x', 1)]);
      expectHolds(spool, [batch(2)]);
      expect(drainIds(spool)).toEqual(['b2']);
    });

    it("lets a part reuse its parent's id, and refuses ids used elsewhere without changing anything", () => {
      const { spool } = make();
      fill(spool, [batch(1), batch(2)]);
      spool.replace('b1', [part('b1', 1)]);
      expectHolds(spool, [part('b1', 1), batch(2)]);
      expect(() => spool.replace('b1', [part('b2', 1)])).toThrow(/b2/);
      expect(() => spool.replace('b1', [part('p', 1), part('p', 1)])).toThrow(/"p"/);
      expectHolds(spool, [part('b1', 1), batch(2)]);
      expect(drainIds(spool)).toEqual(['b1', 'b2']);
    });
  });
}
