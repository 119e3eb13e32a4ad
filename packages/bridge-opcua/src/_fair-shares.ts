/**
 * Shares `budget` between parents that have `counts` children each, as evenly as their counts
 * allow (water-filling): no parent gets more than it has, none gets more than one above another
 * that is cut short, and what a small one leaves goes to the others. The one left over by an
 * even split goes to the first ones in order. When everything fits, every parent gets its count.
 * Pure.
 */
export function fairShares(counts: readonly number[], budget: number): number[] {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total <= budget) return [...counts];
  const given = (cap: number): number => counts.reduce((sum, c) => sum + Math.min(c, cap), 0);
  // The largest cap whose shares fit: given() grows with the cap, so a binary search finds it.
  let low = 0;
  let high = Math.max(0, ...counts);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (given(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  let extra = Math.max(0, budget - given(low));
  return counts.map((c) => {
    if (c <= low) return c;
    if (extra > 0) {
      extra--;
      return low + 1;
    }
    return low;
  });
}
