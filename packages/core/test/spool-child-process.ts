import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CORE_DIR = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/spool-child.mjs', import.meta.url));

/** A running `fixtures/spool-child.mjs`: its stdout lines as they arrive, and ways to wait and kill. */
export interface SpoolChild {
  readonly process: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first line (already seen or to come) matching; rejects if the child exits first. */
  waitFor(match: (line: string) => boolean): Promise<string>;
  /** Resolves when the child has exited and its stdout is fully read. */
  readonly closed: Promise<void>;
  /** SIGKILLs the child and waits until it is gone. */
  kill(): Promise<void>;
}

const running = new Set<SpoolChild>();

/** Starts the fixture through tsx (no build needed). Kill it, or call {@link killSpoolChildren} in afterEach. */
export function startSpoolChild(mode: 'hold' | 'append' | 'open', dir: string, durability: 'process' | 'power' = 'process'): SpoolChild {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode, dir, durability], { cwd: CORE_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let exited = false;
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const closed = new Promise<void>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      for (const w of waiters.splice(0)) w.reject(new Error(`spool child exited (${code ?? signal}) first; stderr:\n${stderr}`));
      resolve();
    });
  });
  const handle: SpoolChild = {
    process: child,
    lines,
    closed,
    waitFor(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (exited) return Promise.reject(new Error(`spool child already exited; stderr:\n${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await closed;
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/** Kills every child still running. */
export async function killSpoolChildren(): Promise<void> {
  await Promise.all([...running].map((c) => c.kill()));
}
