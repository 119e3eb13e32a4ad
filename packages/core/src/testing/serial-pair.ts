import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, watch } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two linked pseudo-terminals made by socat (a peer of the tests): what one end writes the other reads, like a null-modem cable or a telemetry radio pair. */
export interface SerialPair {
  dir: string;
  a: string;
  b: string;
  /**
   * Pulls the cable now: kills socat and returns once its ends of both terminals are closed and
   * the links are gone, before any I/O callback of the caller can run. What the caller does
   * next (a write, a close) meets a line already hung up, as after an unplugged USB adapter.
   */
  unplug(): void;
  close(): Promise<void>;
}

/** How long socat may take to make the pair: far more than it ever needs; past it, the start fails rather than hangs. */
const SOCAT_START_MS = 10_000;

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
  let said = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    said = (said + chunk).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const ready = (): boolean => existsSync(a) && existsSync(b);
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      clearTimeout(deadline);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve();
    };
    // Watching first, then looking: links made in between are seen either way.
    const watcher = watch(dir, () => {
      if (ready()) settle();
    });
    const deadline = setTimeout(() => settle(new Error(`socat made no ${a} and ${b} within ${SOCAT_START_MS} ms: ${said.trim() || 'it said nothing'}`)), SOCAT_START_MS);
    void exited.then((code) => settle(new Error(`socat exited with ${code} before creating ${a} and ${b}: ${said.trim()}`)));
    if (ready()) settle();
  });
  return {
    dir,
    a,
    b,
    unplug() {
      if (child.exitCode !== null || child.pid === undefined) return;
      child.kill('SIGKILL');
      waitUntilDead(child.pid);
      rmSync(a, { force: true });
      rmSync(b, { force: true });
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (owned) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Blocks until process `pid` has ended (a zombie not yet reaped, or gone). The kernel closes a
 * process's files before it becomes a zombie, so its terminals are hung up by then. Linux only
 * (reads /proc), as socat's ptys are.
 */
function waitUntilDead(pid: number): void {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    // "pid (comm) state ...": the state follows the last parenthesis.
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    if (Date.now() > deadline) throw new Error(`socat (pid ${pid}) is still running 10 s after SIGKILL`);
  }
}
