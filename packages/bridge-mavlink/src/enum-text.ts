/**
 * The text of `value` in an enum's entries: the entry's name; for a bitmask enum (entries that
 * are single bits) the names of the set bits joined by `|`; `UNKNOWN(n)` otherwise, so that a
 * value newer than the tables still reads as something.
 */
export function enumText(entries: ReadonlyMap<number, string>, value: number): string {
  const direct = entries.get(value);
  if (direct !== undefined) return direct;
  if (Number.isInteger(value) && value > 0 && value <= 0xffffffff) {
    const names: string[] = [];
    let rest = value;
    for (let bit = 1; rest !== 0 && bit <= 0x80000000; bit *= 2) {
      if (rest % (bit * 2) >= bit) {
        const name = entries.get(bit);
        if (name === undefined) return `UNKNOWN(${value})`;
        names.push(name);
        rest -= bit;
      }
    }
    if (names.length > 1) return names.join('|');
  }
  return `UNKNOWN(${value})`;
}
