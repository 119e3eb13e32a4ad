// Sums the vitest summaries of every package in a `pnpm test` log into one closing line,
// "N passed, N failed, N skipped", so CI can read the totals.
import { readFileSync } from 'node:fs';

const log = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const line of log.split('\n')) {
  const m = /^\S*:test:\s+Tests\s+(.*)$/.exec(line.trim()) ?? /^Tests\s+(.*)$/.exec(line.trim());
  if (!m) continue;
  for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    totals[kind === 'todo' ? 'skipped' : kind] += Number(n);
  }
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
