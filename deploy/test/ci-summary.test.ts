// The closing lines of the README's test command (scripts/test-summary.mjs): the totals CI reads,
// and every failure named, so the tail of a CI log says what failed. Summarises the output of a
// real vitest run in a scratch folder, its lines prefixed as turbo prefixes a package's.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/processes.js';
import { repoPath } from './helpers/repo.js';

let scratch: string;

/** Runs vitest (the repository's, tests written with its globals) on `files` in a scratch folder. */
async function vitestOutput(files: Record<string, string>): Promise<string> {
  const root = mkdtempSync(join(scratch, 'run-'));
  mkdirSync(join(root, 'test'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'test', name), text);
  const ran = await run(repoPath('node_modules/.bin/vitest'), ['run', '--globals', '--root', root], { cwd: root, env: { ...process.env, CI: 'true' } });
  return ran.stdout + ran.stderr;
}

/** The summary of a log in which each package's output is prefixed `<package>:test: `. */
async function summary(byPackage: Record<string, string>): Promise<string[]> {
  const log = Object.entries(byPackage)
    .flatMap(([pkg, out]) => out.split('\n').map((line) => `${pkg}:test: ${line}`))
    .join('\n');
  const file = join(scratch, 'log.txt');
  writeFileSync(file, log);
  const ran = await run('node', [repoPath('scripts/test-summary.mjs'), file]);
  expect(ran.stderr).toBe('');
  return ran.stdout.trim().split('\n');
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fieldbridge-ci-summary-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the test summary', () => {
  it('counts every package and ends with the totals', async () => {
    const a = await vitestOutput({ 'a.test.ts': "test('one', () => {}); test('two', () => {}); test.skip('later', () => {});" });
    const b = await vitestOutput({ 'b.test.ts': "test('three', () => {});" });
    expect(await summary({ '@x/a': a, '@x/b': b })).toEqual(['3 passed, 0 failed, 1 skipped']);
  }, 60_000);

  it('names a failed test with the first line of its error', async () => {
    const out = await vitestOutput({ 'c.test.ts': "describe('reader', () => { test('reads', () => { throw new Error('expected 3 frames, got 2'); }); test('fine', () => {}); });" });
    const lines = await summary({ '@x/c': out });
    expect(lines.at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    expect(lines[0]).toMatch(/^FAIL @x\/c test\/c\.test\.ts > reader > reads: .*expected 3 frames, got 2/);
  }, 60_000);

  it("shows what an assertion's first line cuts short: the values compared, or the lines its diff changes", async () => {
    const long = 'x'.repeat(60);
    const out = await vitestOutput({
      'f.test.ts': `test('ends', () => { expect('${long} 993 frames, 1 record skipped').toBe('${long} 993 frames'); });
        test('points', () => { expect({ metric: 'rpm', value: 1, tags: { bus: 'car' } }).toEqual({ metric: 'rpm', value: 2, tags: { bus: 'car' } }); });`,
    });
    const lines = await summary({ '@x/f': out });
    expect(lines.at(-1)).toBe('0 passed, 2 failed, 0 skipped');
    const ends = lines.indexOf(lines.find((l) => l.startsWith('FAIL @x/f test/f.test.ts > ends: AssertionError:'))!);
    expect(lines.slice(ends + 1, ends + 3)).toEqual([`    Expected: "${long} 993 frames"`, `    Received: "${long} 993 frames, 1 record skipped"`]);
    const points = lines.findIndex((l) => l.startsWith('FAIL @x/f test/f.test.ts > points: AssertionError:'));
    expect(lines.slice(points + 1, points + 3)).toEqual(['    -   "value": 2,', '    +   "value": 1,']);
  }, 60_000);

  it('counts and names each error caught outside every test, though every test passed', async () => {
    const rejection = "test('leaks', async () => { setTimeout(() => { Promise.reject(new Error('port closed after the test')); }, 5); await new Promise((r) => setTimeout(r, 100)); }); test('after', () => {});";
    const exception = "test('throws later', async () => { setTimeout(() => { throw new Error('EIO: i/o error, write'); }, 5); await new Promise((r) => setTimeout(r, 100)); });";
    const lines = await summary({ '@x/d': await vitestOutput({ 'd.test.ts': rejection, 'e.test.ts': exception }) });
    expect(lines.at(-1)).toBe('3 passed, 2 failed, 0 skipped');
    expect(lines.slice(0, -1).sort()).toEqual([
      'UNHANDLED @x/d test/d.test.ts (last test: leaks): Unhandled Rejection: Error: port closed after the test',
      'UNHANDLED @x/d test/e.test.ts (last test: throws later): Uncaught Exception: Error: EIO: i/o error, write',
    ]);
  }, 60_000);
});
