import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isFieldbridgeError } from '../src/errors.js';
import { createSqliteSpool } from '../src/spool/index.js';
import type { Spool } from '../src/spool/index.js';
import { killSpoolChildren, startSpoolChild } from './spool-child-process.js';
import { tempDirs, testBatch } from './spool-test-kit.js';

// Real child processes holding and writing the spool, killed with SIGKILL.
describe('sqlite spool across processes', () => {
  const dirs = tempDirs();
  const open: Spool[] = [];
  const limits = { maxBytes: 1e12, whenFull: 'block' as const };
  afterEach(async () => {
    await killSpoolChildren();
    for (const spool of open.splice(0)) spool.close();
    dirs.cleanup();
  });
  const spoolAt = (dir: string): Spool => {
    const spool = createSqliteSpool({ dir, limits });
    open.push(spool);
    return spool;
  };

  for (const [durability, kills] of [
    ['process', 200],
    ['power', 40],
  ] as const) {
    it(`keeps every batch a kill -9'd writer reported as appended (durability ${durability})`, async () => {
      const dir = join(dirs.make(), 'buffer');
      const child = startSpoolChild('append', dir, durability);
      await child.waitFor((line) => line === `appended c${kills - 1}`);
      await child.kill();
      const reported = child.lines.filter((l) => l.startsWith('appended ')).map((l) => l.slice('appended '.length));
      expect(reported.length).toBeGreaterThanOrEqual(kills);
      expect(reported).toEqual(reported.map((_, i) => `c${i}`));

      const spool = spoolAt(dir);
      const stored = spool.lease(Number.MAX_SAFE_INTEGER);
      const storedIds = stored.map((b) => b.id);
      // Every reported batch is there, in order; at most one more (committed, killed before it said so).
      expect(storedIds.slice(0, reported.length)).toEqual(reported);
      expect(storedIds.length - reported.length).toBeLessThanOrEqual(1);
      expect(stored[0]?.count).toBe(20);
      expect(spool.stats().batches).toBe(storedIds.length);
    });
  }

  it('refuses a second process with SPOOL_LOCKED until the holder dies, then opens with its content', async () => {
    const dir = join(dirs.make(), 'buffer');
    const holder = startSpoolChild('hold', dir);
    await holder.waitFor((line) => line === 'ready');

    let caught: unknown;
    try {
      spoolAt(dir);
    } catch (err) {
      caught = err;
    }
    expect(isFieldbridgeError(caught, 'SPOOL_LOCKED')).toBe(true);
    expect((caught as Error).message).toContain(join(dir, 'spool.sqlite'));
    expect((caught as Error).message).toMatch(/another fieldbridge process/);

    const other = startSpoolChild('open', dir);
    expect(await other.waitFor((line) => line.startsWith('opened') || line.startsWith('error'))).toBe('error SPOOL_LOCKED');
    await other.closed;

    await holder.kill();
    const spool = spoolAt(dir);
    expect(spool.lease(10).map((b) => b.id)).toEqual(['held-1']);
  });

  it('does not load better-sqlite3 (a native addon) or pino when the spool module is imported', async () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "const spool = await import('./src/spool/index.ts');",
      'spool.createSpool({}).close();',
      'const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /better-sqlite3|pino/.test(k));',
      'console.log(JSON.stringify(loaded));',
    ].join('\n');
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd });
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('lets a second process open the spool once the first closed it cleanly', async () => {
    const dir = join(dirs.make(), 'buffer');
    const first = spoolAt(dir);
    first.append(testBatch('x', [{ metric: 'm', value: 1 }], { bytes: 30, createdAtMs: 1 }));
    const locked = startSpoolChild('open', dir);
    expect(await locked.waitFor((line) => /^(opened|error)/.test(line))).toBe('error SPOOL_LOCKED');
    first.close();
    const other = startSpoolChild('open', dir);
    expect(await other.waitFor((line) => /^(opened|error)/.test(line))).toBe('opened');
  });
});
