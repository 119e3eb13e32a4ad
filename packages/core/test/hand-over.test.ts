// What a resource kept across reloads receives while no instance reads it: held in order,
// bounded, and read once, by the next reader.
import { describe, expect, it } from 'vitest';
import { createHandOver } from '../src/kit.js';

describe('createHandOver', () => {
  it('passes arrivals to the reader; holds them while none reads and gives them to the next one first, with how long they waited', () => {
    const first: number[] = [];
    const hand = createHandOver<number>({ maxItems: 10 }, (n) => first.push(n));
    hand.push(1);
    hand.detach();
    expect(hand.attached).toBe(false);
    hand.push(2);
    hand.push(3);
    const next: [number, number | undefined][] = [];
    expect(hand.attach((n, waited) => next.push([n, waited]))).toBe(0);
    hand.push(4);
    expect(first).toEqual([1]);
    expect(next.map(([n]) => n)).toEqual([2, 3, 4]);
    expect(next.slice(0, 2).every(([, waited]) => typeof waited === 'number' && waited >= 0)).toBe(true);
    expect(next[2]![1]).toBeUndefined();
    expect(hand.attached).toBe(true);
  });

  it('holds at most maxItems and maxBytes, counts what it dropped once, and starts holding with no first reader', () => {
    const hand = createHandOver<string>({ maxItems: 3, maxBytes: 5, sizeOf: (s) => s.length });
    for (const s of ['ab', 'cd', 'ef', 'g']) hand.push(s);
    const read: string[] = [];
    // 'ef' would make 6 bytes: dropped; 'g' makes 5.
    expect(hand.attach((s) => read.push(s))).toBe(1);
    expect(read).toEqual(['ab', 'cd', 'g']);
    hand.detach();
    for (const s of ['1', '2', '3', '4']) hand.push(s);
    expect(hand.attach((s) => read.push(s))).toBe(1);
    expect(read).toEqual(['ab', 'cd', 'g', '1', '2', '3']);
  });
});
