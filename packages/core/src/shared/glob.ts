/**
 * A name pattern (a metric, a DBC message or signal): `*` stands for any run of characters (none
 * included), `?` for exactly one, everything else for itself, case as written; the whole name
 * must match. Matched in time bounded by the product of the two lengths (a greedy scan that backs
 * up to the last `*` only, no regular expression), so no pattern can blow up.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c !== undefined && c !== '*' && (c === '?' || c === text[t])) {
      p += 1;
      t += 1;
    } else if (c === '*') {
      star = p;
      p += 1;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}
