import { describe, expect, it } from 'vitest';
import type { CounterMemory } from '../src/decode/bthome-counter.js';
import { extendWrapping, guardCounter, wrapped } from '../src/decode/counter-guard.js';

const MINUTE = 60_000;

/** A device sending one-byte counters, judged as the pvvx firmware's encrypted adverts are. */
function byteCounter(restartAfterMs: number) {
  const memory: CounterMemory = {};
  return (counter: number, atMs: number) => guardCounter(memory, extendWrapping(counter, 8, memory.counter), atMs, restartAfterMs, wrapped(8));
}

describe('a one-byte encryption counter (the pvvx firmware\'s), read across its wrap', () => {
  it('takes up to half the range ahead as newer, the rest as older, by hand-computed distances', () => {
    expect(extendWrapping(7, 8, undefined)).toBe(7);
    expect(extendWrapping(4, 8, 250)).toBe(260);
    expect(extendWrapping(250, 8, 260)).toBe(250);
    expect(extendWrapping(131, 8, 4)).toBe(131);
    expect(extendWrapping(132, 8, 4)).toBe(-124);
    expect(extendWrapping(3, 8, 256 * 3 + 3)).toBe(256 * 3 + 3);
    expect([260, -124, 0, 255, 256].map(wrapped(8))).toEqual([4, 132, 0, 255, 0]);
  });

  it('accepts 255 -> 0 -> 1 as rising, refuses the same and older counters, and names them as the device sends them', () => {
    const judge = byteCounter(0);
    expect(judge(254, 0).kind).toBe('accept');
    expect(judge(255, 1).kind).toBe('accept');
    expect(judge(0, 2).kind).toBe('accept');
    expect(judge(1, 3).kind).toBe('accept');
    expect(judge(1, 4).kind).toBe('duplicate');
    expect(judge(255, 5)).toEqual({ kind: 'refused', message: 'encryption counter 255 is lower than the last accepted 1: a replayed or stale advert (counter_restart_after_s is never: a sensor whose counter restarted is accepted again after the bridge restarts)' });
  });

  it('takes a restarted counter back after counter_restart_after_s, reporting the restart in the counters the device sent', () => {
    const judge = byteCounter(5 * MINUTE);
    expect(judge(100, 0).kind).toBe('accept');
    // Batteries changed: the counter starts over at 0, which is 156 behind 100 (more than half the range).
    for (let m = 0; m < 5; m++) expect(judge(m, MINUTE + m * MINUTE).kind).toBe('refused');
    expect(judge(5, 6 * MINUTE)).toEqual({ kind: 'accept', restart: { previous: 100, from: 0, counter: 5, afterMs: 5 * MINUTE, refused: 5 } });
    expect(judge(6, 7 * MINUTE).kind).toBe('accept');
  });
});
