import { describe, expect, it } from 'vitest';
import { batch, drainIds, drops, expectHolds, fill, ids } from './_spool-kit.js';
import type { MakeSpool } from './_spool-kit.js';

/** The capacity policy (`whenFull`, oversize batches) and `expire`. */
export function capacityTests(make: MakeSpool): void {
  describe('when full', () => {
    const three = () => [1, 2, 3].map((n) => batch(n));

    it('fits exactly maxBytes under every policy', () => {
      for (const whenFull of ['drop_oldest', 'drop_newest', 'block'] as const) {
        const { spool } = make({ maxBytes: 300, whenFull });
        fill(spool, three());
        expectHolds(spool, three());
      }
    });

    it('drop_oldest evicts the oldest unleased batches until the new one fits', () => {
      const { spool } = make({ maxBytes: 300, whenFull: 'drop_oldest' });
      fill(spool, three());
      expect(spool.append(batch(4))).toEqual({ accepted: true, dropped: [{ id: 'b1', count: 2, reason: 'buffer_full' }] });
      expectHolds(spool, [batch(2), batch(3), batch(4)]);
      expect(ids(spool.lease(1))).toEqual(['b2']);
      const big = spool.append(batch(5, { bytes: 200 }));
      expect(big.accepted).toBe(true);
      expect(drops(big.dropped)).toEqual(['b3:buffer_full', 'b4:buffer_full']);
      expectHolds(spool, [batch(2), batch(5, { bytes: 200 })]);
      spool.release('b2');
      expect(drainIds(spool)).toEqual(['b2', 'b5']);
    });

    it('drop_oldest never evicts leased batches, and accepts past maxBytes when only they remain', () => {
      const { spool } = make({ maxBytes: 300, whenFull: 'drop_oldest' });
      fill(spool, three());
      expect(ids(spool.lease(2))).toEqual(['b1', 'b2']);
      const result = spool.append(batch(4, { bytes: 250 }));
      expect(result.accepted).toBe(true);
      expect(drops(result.dropped)).toEqual(['b3:buffer_full']);
      expectHolds(spool, [batch(1), batch(2), batch(4, { bytes: 250 })]);
      expect(spool.stats().bytes).toBe(450);
      const next = spool.append(batch(5));
      expect(drops(next.dropped)).toEqual(['b4:buffer_full']);
      expectHolds(spool, [batch(1), batch(2), batch(5)]);
    });

    it('drop_newest drops the incoming batch and keeps what it holds', () => {
      const { spool } = make({ maxBytes: 300, whenFull: 'drop_newest' });
      fill(spool, three());
      expect(spool.append(batch(4))).toEqual({ accepted: false, dropped: [{ id: 'b4', count: 2, reason: 'buffer_full' }] });
      expectHolds(spool, three());
      spool.ack('b1');
      expect(spool.append(batch(4))).toEqual({ accepted: true, dropped: [] });
      expect(drainIds(spool)).toEqual(['b2', 'b3', 'b4']);
    });

    it('block refuses without dropping anything, and accepts once room frees', () => {
      const { spool } = make({ maxBytes: 300, whenFull: 'block' });
      fill(spool, three());
      expect(spool.append(batch(4))).toEqual({ accepted: false, dropped: [] });
      expectHolds(spool, three());
      spool.lease(1);
      spool.ack('b1');
      expect(spool.append(batch(4))).toEqual({ accepted: true, dropped: [] });
      expect(drainIds(spool)).toEqual(['b2', 'b3', 'b4']);
    });

    it('drops a batch larger than maxBytes under drop_oldest and drop_newest, evicting nothing', () => {
      for (const whenFull of ['drop_oldest', 'drop_newest'] as const) {
        const { spool } = make({ maxBytes: 300, whenFull });
        const huge = batch(9, { bytes: 301 });
        expect(spool.append(huge)).toEqual({ accepted: false, dropped: [{ id: huge.id, count: huge.count, reason: 'buffer_full' }] });
        expectHolds(spool, []);
        fill(spool, [batch(1)]);
        expect(spool.append(huge)).toEqual({ accepted: false, dropped: [{ id: huge.id, count: huge.count, reason: 'buffer_full' }] });
        expectHolds(spool, [batch(1)]);
      }
    });

    it('block takes a batch larger than maxBytes only into an empty spool', () => {
      const { spool } = make({ maxBytes: 300, whenFull: 'block' });
      const huge = batch(9, { bytes: 400 });
      fill(spool, [batch(1)]);
      expect(spool.append(huge)).toEqual({ accepted: false, dropped: [] });
      spool.ack('b1');
      expect(spool.append(huge)).toEqual({ accepted: true, dropped: [] });
      expectHolds(spool, [huge]);
      expect(spool.append(batch(2))).toEqual({ accepted: false, dropped: [] });
      expect(ids(spool.lease(5))).toEqual(['b9']);
    });
  });

  describe('expire', () => {
    it('drops unleased batches sealed before now - maxAgeMs, in queue order', () => {
      const { spool } = make({ maxAgeMs: 1000 });
      const held = [
        batch(1, { createdAtMs: 500 }),
        batch(2, { createdAtMs: 0 }),
        batch(3, { createdAtMs: 999.5 }),
        batch(4, { createdAtMs: 1000 }),
        batch(5, { createdAtMs: 2000 }),
      ];
      fill(spool, held);
      expect(ids(spool.lease(1))).toEqual(['b1']);
      expect(spool.expire(2000)).toEqual([
        { id: held[1]!.id, count: held[1]!.count, reason: 'expired' },
        { id: held[2]!.id, count: held[2]!.count, reason: 'expired' },
      ]);
      expectHolds(spool, [held[0]!, held[3]!, held[4]!]);
      expect(spool.expire(2000)).toEqual([]);
      spool.release('b1');
      expect(drops(spool.expire(2000.5))).toEqual(['b1:expired', 'b4:expired']);
      expectHolds(spool, [held[4]!]);
    });

    it('expires nothing without maxAgeMs', () => {
      const { spool } = make();
      fill(spool, [batch(1, { createdAtMs: 0 })]);
      expect(spool.expire(Number.MAX_SAFE_INTEGER)).toEqual([]);
      expectHolds(spool, [batch(1, { createdAtMs: 0 })]);
    });
  });
}
