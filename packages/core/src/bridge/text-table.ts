/**
 * Rows of cells as aligned text lines, for the listings bridge commands print (`--probe`,
 * `--scan`, `--list-messages`): every column but a row's last padded to its widest cell (at
 * most `maxWidth`; a longer cell pushes its row out), two spaces between, no trailing blanks.
 */
export function textTable(rows: readonly (readonly string[])[], maxWidth = Infinity): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.min(maxWidth, Math.max(...rows.map((r) => (r[c] ?? '').length))));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}
