import { describe, expect, it } from 'vitest';
import { compareNatural } from '../src/bridge/natural-order.js';

describe('compareNatural', () => {
  it('orders numbers in names by their value, the same on every machine (OPC UA browse names, numbered log files)', () => {
    const names = ['Val10', 'Val2', 'DB_Block10', 'DB_Block9', 'Val1', 'val0', 'Ölstand', 'Val07', 'Val7', 'Val'];
    expect([...names].sort(compareNatural)).toEqual(['DB_Block9', 'DB_Block10', 'Val', 'Val1', 'Val2', 'Val07', 'Val7', 'Val10', 'val0', 'Ölstand']);
    expect(compareNatural('a', 'a')).toBe(0);
  });
});
