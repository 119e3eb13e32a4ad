import { describe, expect, it } from 'vitest';
import { createPendingSeqs } from '../src/sink/_pending-seqs.js';
import { seededRandom } from '../src/testing/index.js';

describe('pending sequence numbers (flush()\'s line)', () => {
  it('answers the oldest pending number as a plain count per number would, through growth and shrinking', () => {
    const random = seededRandom(12);
    const seqs = createPendingSeqs();
    // The model: each pending number and how many holds it has, deleted at none. Numbers are
    // made in rising order and a Map keeps insertion order, so its first key is the oldest.
    const model = new Map<number, number>();
    const oldestOfModel = (): number | undefined => model.keys().next().value;
    for (let step = 0; step < 20_000; step++) {
      const r = random();
      const held = [...model.keys()];
      // Phases: a backlog builds up (thousands pending), then drains mostly oldest first.
      const building = step % 8000 < 5000;
      if (held.length === 0 || (building ? r < 0.6 : r < 0.1)) {
        const seq = seqs.next();
        expect(seq).toBe(seqs.newest());
        model.set(seq, 1);
      } else if (r < 0.7) {
        const seq = held[Math.floor(random() * held.length)]!;
        seqs.hold(seq);
        model.set(seq, model.get(seq)! + 1);
      } else {
        const seq = random() < 0.7 ? held[0]! : held[Math.floor(random() * held.length)]!;
        seqs.release(seq);
        const holds = model.get(seq)! - 1;
        if (holds === 0) model.delete(seq);
        else model.set(seq, holds);
      }
      expect(seqs.oldest()).toBe(oldestOfModel());
    }
  });

  it('ignores releases of numbers that are not pending, and counts from 0', () => {
    const seqs = createPendingSeqs();
    expect(seqs.oldest()).toBeUndefined();
    expect(seqs.newest()).toBe(-1);
    expect([seqs.next(), seqs.next(), seqs.next()]).toEqual([0, 1, 2]);
    seqs.release(7);
    seqs.release(-1);
    seqs.release(1);
    seqs.release(1);
    expect(seqs.oldest()).toBe(0);
    seqs.release(0);
    expect(seqs.oldest()).toBe(2);
    seqs.release(2);
    expect(seqs.oldest()).toBeUndefined();
    expect(seqs.newest()).toBe(2);
    expect(seqs.next()).toBe(3);
  });
});
