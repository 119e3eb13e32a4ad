import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway } from '@fieldbridge/gateway-dev';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/shared/seeded-random.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

function startWriter(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let spooled = 0;
  let out = '';
  let err = '';
  const listeners: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^spooled (\d+)$/.exec(line);
      if (m) spooled = Number(m[1]);
    }
    for (const l of listeners.splice(0)) l();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => err,
    spooled: () => spooled,
    async until(n: number) {
      while (spooled < n) {
        if (child.exitCode !== null) throw new Error(`writer exited early: ${err}`);
        await new Promise<void>((resolve) => listeners.push(resolve));
      }
    },
  };
}

describe('crash safety (kill -9)', () => {
  it('delivers every point the spool accepted across repeated SIGKILLs while the gateway flaps', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const dir = mkdtempSync(join(tmpdir(), 'fb-crash-'));
    const gateway = await createGateway({ apiKeys: ['k'], random });
    const kills = 8;
    const confirmed: number[] = [];
    try {
      for (let run = 0; run < kills; run++) {
        // Flap: every other run the gateway fails half its requests or drops connections.
        gateway.setFaults(run % 3 === 1 ? { status: 503, ratio: 0.5 } : run % 3 === 2 ? { drop: true, ratio: 0.3 } : undefined);
        const w = startWriter(['--url', gateway.url, '--key', 'k', '--dir', dir, '--run', String(run)]);
        await w.until(100 + Math.floor(random() * 900));
        w.child.kill('SIGKILL');
        await w.exited;
        confirmed.push(w.spooled());
      }
      gateway.setFaults(undefined);
      const drain = startWriter(['--url', gateway.url, '--key', 'k', '--dir', dir, '--drain']);
      expect(await drain.exited).toBe(0);

      const stored = gateway.points({ metric: 'crash.seq' });
      const seen = new Map<string, number>();
      let duplicates = 0;
      for (const p of stored) {
        const key = `${p.tags!.run}:${p.value}`;
        const n = seen.get(key) ?? 0;
        seen.set(key, n + 1);
        if (n > 0) {
          duplicates += 1;
          // A duplicate comes only from a batch that was in flight at a kill: same batch id again.
          expect(p.duplicate).toBe(true);
        }
      }
      let missing = 0;
      confirmed.forEach((count, run) => {
        for (let seq = 0; seq < count; seq++) if (!seen.has(`${run}:${seq}`)) missing += 1;
      });
      const total = confirmed.reduce((a, b) => a + b, 0);
      console.log(`crash test (seed ${seed}): ${kills} kills, ${total} points accepted by the spool, ${stored.length} stored, ${duplicates} duplicates, ${missing} missing`);
      expect(missing).toBe(0);
    } finally {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
