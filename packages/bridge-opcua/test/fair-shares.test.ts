import { describe, expect, it } from 'vitest';
import { fairShares } from '../src/_fair-shares.js';

describe('fairShares', () => {
  it('gives every parent its children when they fit', () => {
    expect(fairShares([3, 0, 5], 8)).toEqual([3, 0, 5]);
  });

  it('shares evenly, small parents whole, the rest to the first ones', () => {
    expect(fairShares([300, 6, 300, 300], 100)).toEqual([32, 6, 31, 31]);
    expect(fairShares([10, 10, 10], 2)).toEqual([1, 1, 0]);
    expect(fairShares([10, 10], 0)).toEqual([0, 0]);
  });
});
