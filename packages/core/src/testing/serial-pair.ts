import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two linked pseudo-terminals made by socat (a peer of the tests): what one end writes the other reads, like a null-modem cable or a telemetry radio pair. */
export interface SerialPair {
  dir: string;
  a: string;
  b: string;
  close(): Promise<void>;
}

/**
 * Runs `socat -d -d pty,raw,echo=0,link=<dir>/A pty,raw,echo=0,link=<dir>/B` and resolves once
 * both links exist (watching the directory, not sleeping). Passing the same `dir` again makes the
 * same paths, like plugging an adapter back in; a temp dir made here is removed on close.
 */
export async function startSerialPair(options: { dir?: string } = {}): Promise<SerialPair> {
  const owned = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'fieldbridge-serial-')));
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const ready = (): boolean => existsSync(a) && existsSync(b);
    if (ready()) return resolve();
    const watcher = watch(dir, () => {
      if (!ready()) return;
      watcher.close();
      resolve();
    });
    void exited.then((code) => {
      watcher.close();
      reject(new Error(`socat exited with ${code} before creating ${a} and ${b}`));
    });
  });
  return {
    dir,
    a,
    b,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (owned) await rm(dir, { recursive: true, force: true });
    },
  };
}
