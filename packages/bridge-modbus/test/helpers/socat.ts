import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';

/** Two linked pseudo-terminals: what one end writes the other reads, like a null-modem cable. */
export interface SerialPair {
  dir: string;
  a: string;
  b: string;
  close(): Promise<void>;
}

/** Waits until both links exist, watching the directory rather than sleeping. */
function waitForLinks(dir: string, paths: string[], exited: Promise<number | null>): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): boolean => paths.every((p) => existsSync(p));
    if (done()) return resolve();
    const watcher = watch(dir, () => {
      if (done()) {
        watcher.close();
        resolve();
      }
    });
    void exited.then((code) => {
      watcher.close();
      reject(new Error(`socat exited with ${code} before creating ${paths.join(', ')}`));
    });
  });
}

/**
 * Runs `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` in `dir`, which the caller
 * owns. Passing the same `dir` again recreates the same two paths, like plugging a USB adapter
 * back in.
 */
export async function startSerialPair(dir: string): Promise<SerialPair> {
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await waitForLinks(dir, [a, b], exited);
  return {
    dir,
    a,
    b,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
