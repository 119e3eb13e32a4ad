// Sums the vitest summaries of every package in a `pnpm test` log into one closing line,
// "N passed, N failed, N skipped", so CI can read the totals. A test file that fails to load
// has no tests of its own, so a package counts at least as many failures as failed files; a
// package whose test task failed before vitest summarised anything (a build error) is named, and
// an unhandled error vitest caught outside any test counts as a failure. Each failed test is named
// above the totals with its error's first line, so the tail of a CI log says what failed.
import { readFileSync } from 'node:fs';

const log = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const packages = new Map();
for (const raw of log.split('\n')) {
  const m = /^(?:(\S*):test:)?\s*(Tests|Test Files|Errors)\s+(.*)$/.exec(raw.trim());
  if (!m) continue;
  const [, pkg = '', what, counts] = m;
  const entry = packages.get(pkg) ?? { passed: 0, failed: 0, skipped: 0, failedFiles: 0, errors: 0 };
  if (what === 'Errors') {
    // Unhandled errors fail the run even when every test passed.
    entry.errors += Number(/(\d+) errors?/.exec(counts)?.[1] ?? 1);
    packages.set(pkg, entry);
    continue;
  }
  const n = Object.fromEntries([...counts.matchAll(/(\d+) (passed|failed|skipped|todo)/g)].map(([, c, k]) => [k, Number(c)]));
  if (what === 'Tests') {
    entry.passed += n.passed ?? 0;
    entry.failed += n.failed ?? 0;
    entry.skipped += (n.skipped ?? 0) + (n.todo ?? 0);
  } else {
    entry.failedFiles += n.failed ?? 0;
  }
  packages.set(pkg, entry);
}
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const e of packages.values()) {
  totals.passed += e.passed;
  totals.failed += Math.max(e.failed, e.failedFiles) + e.errors;
  totals.skipped += e.skipped;
}
const failedTasks = [...log.matchAll(/^\s*Failed:\s+(.*)$/gm)].flatMap((m) => m[1].split(',').map((s) => s.trim())).filter(Boolean);
const silent = failedTasks.filter((task) => !packages.has(task.replace(/#test$/, '')));
for (const failure of failures(log)) console.log(failure);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (silent.length > 0) console.log(`tasks that failed before their tests ran: ${silent.join(', ')}`);

/** "FAIL <package> <file > suite > test>: <first line of its error>" for every failed test or file. */
function failures(text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((raw, i) => {
    const m = /^(?:(\S*):test:)?\s*FAIL\s+(.*)$/.exec(raw.trim());
    if (!m) return;
    const [, pkg = '', what] = m;
    // Packages' lines interleave when they run side by side: the error is the package's next line.
    const prefix = pkg ? `${pkg}:test:` : '';
    const detail = lines.slice(i + 1, i + 200).filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).trim()).find((l) => l.length > 0) ?? '';
    out.push(`FAIL ${pkg ? `${pkg} ` : ''}${what.trim()}${detail ? `: ${detail}` : ''}`);
  });
  return out.slice(0, 20);
}
