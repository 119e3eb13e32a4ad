/**
 * Compares two names as a person reads them: runs of digits by their number (`Val2` before
 * `Val10`, `DB_Block9` before `DB_Block10`), everything else by UTF-16 code unit, so the order
 * is the same on every machine whatever its locale. Names equal but for leading zeros (`Val07`,
 * `Val7`) are told apart by their text, so no two different names compare equal. Pure.
 */
export function compareNatural(a: string, b: string): number {
  const left = runs(a);
  const right = runs(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    const bothDigits = isDigits(x) && isDigits(y);
    const order = bothDigits ? compareNumbers(x, y) : compareText(x, y);
    if (order !== 0) return order;
  }
  if (left.length !== right.length) return left.length - right.length;
  return compareText(a, b);
}

function runs(text: string): string[] {
  return text.match(/\d+|\D+/g) ?? [];
}

function isDigits(run: string): boolean {
  const c = run.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Two runs of digits by the number they write, of any length. */
function compareNumbers(x: string, y: string): number {
  const a = x.replace(/^0+/, '');
  const b = y.replace(/^0+/, '');
  if (a.length !== b.length) return a.length - b.length;
  return compareText(a, b);
}

function compareText(x: string, y: string): number {
  if (x === y) return 0;
  return x < y ? -1 : 1;
}
