// Sums the vitest summaries of every package in a `pnpm test` log into one closing line,
// "N passed, N failed, N skipped", so CI can read the totals. A test file that fails to load
// has no tests of its own, so a package counts at least as many failures as failed files; a
// package whose test task failed before vitest summarised anything (a build error) is named, and
// an unhandled error vitest caught outside any test counts as a failure. Each failed test is named
// above the totals with its error's first line (and an assertion's expected and received values,
// which that line cuts short), so the tail of a CI log says what failed.
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

/**
 * "FAIL <package> <file > suite > test>: <first line of its error>" for every failed test or file,
 * and "UNHANDLED <package> <file> (last test: <name>): <error>" for every error vitest caught
 * outside a test (it fails the run although every test passed).
 */
function failures(text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((raw, i) => {
    const fail = /^(?:(\S*):test:)?\s*FAIL\s+(.*)$/.exec(raw.trim());
    const unhandled = /^(?:(\S*):test:)?\s*⎯+ (Unhandled (?:Rejection|Error|Exception)|Uncaught Exception)\b/.exec(raw.trim());
    if (!fail && !unhandled) return;
    const pkg = (fail ?? unhandled)[1] ?? '';
    // Packages' lines interleave when they run side by side: what follows is the package's next lines.
    const prefix = pkg ? `${pkg}:test:` : '';
    const own = lines.slice(i + 1, i + 200).filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).trim()).filter((l) => l.length > 0);
    const detail = own[0] ?? '';
    const where = pkg ? `${pkg} ` : '';
    if (fail) {
      out.push(`FAIL ${where}${fail[2].trim()}${detail ? `: ${detail}` : ''}`);
      out.push(...assertionDiff(own.slice(1)));
      return;
    }
    const file = own.map((l) => /^This error originated in "([^"]+)"/.exec(l)?.[1]).find(Boolean) ?? 'an unknown file';
    const test = own.map((l) => /^The latest test that might've caused the error is "(.+)"\./.exec(l)?.[1]).find(Boolean);
    out.push(`UNHANDLED ${where}${file}${test ? ` (last test: ${test})` : ''}: ${unhandled[2]}: ${detail}`);
  });
  return out.slice(0, 40);
}

/**
 * What an assertion's message cuts short (vitest shortens long values in its first line): its
 * "Expected:"/"Received:" lines or the first lines its diff changes, each indented and at most
 * 300 characters, until the error's location.
 */
function assertionDiff(lines) {
  const shown = [];
  for (const line of lines) {
    if (/^(❯|FAIL\b|⎯)/.test(line) || shown.length === 4) break;
    if (/^(Expected|Received):/.test(line) || (/^[-+] /.test(line) && !/^(- Expected|\+ Received)$/.test(line))) {
      shown.push(`    ${line.length > 300 ? `${line.slice(0, 299)}…` : line}`);
    }
  }
  return shown;
}
